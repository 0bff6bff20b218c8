variable "region" {
  description = "AWS region of the bucket and the function."
  type        = string
  default     = "eu-west-1"
}

variable "bucket_name" {
  description = "Name of the federated bucket to create."
  type        = string
  default     = "example-fedcost-federated"
}

variable "lambda_zip_path" {
  description = "The Lambda zip built by `make package`."
  type        = string
  default     = "../../../../../dist/fedcost-lambda-arm64.zip"
}

variable "prod_oidc_provider_arn" {
  description = "IAM OIDC provider of the prod EKS cluster."
  type        = string
  default     = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLEPROD"
}

variable "staging_oidc_provider_arn" {
  description = "IAM OIDC provider of the staging EKS cluster."
  type        = string
  default     = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLESTAGING"
}
