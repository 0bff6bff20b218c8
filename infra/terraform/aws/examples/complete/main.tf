# Example root module: one bucket, the ingest function, two EKS clusters writing through IRSA, a query
# pod reading through IRSA, alarms to an SNS topic. `terraform output -json federated_store_yaml`
# prints each cluster's federated-store.yaml.

provider "aws" {
  region = var.region
}

resource "aws_sns_topic" "alerts" {
  name = "fedcost-alerts"
}

module "fedcost" {
  source = "../.."

  bucket_name     = var.bucket_name
  lambda_zip_path = var.lambda_zip_path

  clusters = {
    "prod-eu-1" = {
      oidc_provider_arn = var.prod_oidc_provider_arn
      namespace         = "kubecost"
      service_account   = "fedcost-agent"
    }
    "staging-eu-1" = {
      oidc_provider_arn = var.staging_oidc_provider_arn
    }
  }

  query_reader = {
    oidc_provider_arn = var.prod_oidc_provider_arn
    namespace         = "kubecost"
  }

  alarm_actions = [aws_sns_topic.alerts.arn]

  tags = { app = "fedcost" }
}
