# Example root module: bucket, functions, two GKE clusters writing through Workload Identity, and a
# query pod reading through Workload Identity.

provider "google" {
  project = var.project
  region  = var.region
}

module "fedcost" {
  source = "../.."

  project         = var.project
  region          = var.region
  bucket_name     = var.bucket_name
  source_zip_path = var.source_zip_path

  clusters = {
    "prod-eu-1"    = { namespace = "kubecost" }
    "staging-eu-1" = {}
  }

  query_reader = { namespace = "kubecost" }
}
