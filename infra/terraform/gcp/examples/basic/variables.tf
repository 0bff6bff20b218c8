variable "project" {
  description = "Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the bucket and functions."
  type        = string
  default     = "europe-west1"
}

variable "bucket_name" {
  description = "Name of the federated bucket to create."
  type        = string
}

variable "source_zip_path" {
  description = "The function source zip built by `make package`."
  type        = string
  default     = "../../../../../dist/fedcost-gcf-source.zip"
}
