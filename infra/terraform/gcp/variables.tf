# Inputs of the fedcost GCP module. See infra/README.md ("GCP") for a walk-through.

variable "project" {
  description = "Project that holds the bucket, the functions and the service accounts."
  type        = string
}

variable "region" {
  description = "Region of the functions and the scheduler job (e.g. europe-west1)."
  type        = string
}

variable "name" {
  description = "Name prefix of the functions, service accounts, scheduler job and BigQuery dataset."
  type        = string
  default     = "fedcost"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name))
    error_message = "name must start with a lower-case letter and hold at most 20 lower-case letters, digits or '-'."
  }
}

variable "bucket_name" {
  description = "The federated bucket: created when create_bucket is true, otherwise an existing bucket (uniform bucket-level access required for the IAM conditions)."
  type        = string
}

variable "create_bucket" {
  description = "Create the bucket (uniform access, public access prevention, lifecycle). False: use an existing bucket and leave its configuration alone."
  type        = bool
  default     = true
}

variable "bucket_location" {
  description = "Location of the created bucket (a region such as europe-west1, or a multi-region such as EU). Null: var.region. The finalize trigger runs in the same location."
  type        = string
  default     = null
}

variable "prefix" {
  description = "Optional objstore prefix inside the bucket (federated-store.yaml `prefix`). Keys then live under <prefix>/federated/."
  type        = string
  default     = ""
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a created bucket that still holds objects."
  type        = bool
  default     = false
}

variable "kms_key_name" {
  description = "Cloud KMS key for the created bucket's default encryption (null: Google-managed keys). The GCS service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it."
  type        = string
  default     = null
}

variable "upload_hourly_retention_days" {
  description = "Days an agent's hourly upload is kept (0: forever). Applies to the clusters in `clusters`."
  type        = number
  default     = 30
}

variable "upload_daily_retention_days" {
  description = "Days an agent's daily upload is kept (0: forever, else at least 366)."
  type        = number
  default     = 400

  validation {
    condition     = var.upload_daily_retention_days == 0 || var.upload_daily_retention_days >= 366
    error_message = "upload_daily_retention_days must keep daily data at least a year (>= 366) or be 0 (forever)."
  }
}

variable "derived_hourly_retention_days" {
  description = "Days a derived hourly object is kept (0: forever). Must be >= upload_hourly_retention_days, else the reconciler re-derives what the lifecycle deleted."
  type        = number
  default     = 90

  validation {
    condition     = var.derived_hourly_retention_days == 0 || (var.upload_hourly_retention_days != 0 && var.derived_hourly_retention_days >= var.upload_hourly_retention_days)
    error_message = "derived_hourly_retention_days must be 0 (forever) or >= upload_hourly_retention_days."
  }
}

variable "derived_daily_retention_days" {
  description = "Days a derived daily object is kept (0: forever, else at least max(366, upload_daily_retention_days))."
  type        = number
  default     = 730

  validation {
    condition     = var.derived_daily_retention_days == 0 || (var.upload_daily_retention_days != 0 && var.derived_daily_retention_days >= var.upload_daily_retention_days && var.derived_daily_retention_days >= 366)
    error_message = "derived_daily_retention_days must be 0 (forever) or >= max(366, upload_daily_retention_days)."
  }
}

variable "quarantine_retention_days" {
  description = "Days a quarantine record is kept (0: forever)."
  type        = number
  default     = 90
}

variable "clusters" {
  description = <<-EOT
    Clusters that upload, keyed by cluster id. Each gets a Google service account that may create and
    overwrite objects only under federated/<cluster_id>/ (IAM condition on resource.name), impersonated
    through GKE Workload Identity by <namespace>/<service_account> of `workload_identity_pool`
    (default <project>.svc.id.goog), and/or by extra `members` (e.g. Workload Identity Federation
    principals of non-GKE clusters).
  EOT
  type = map(object({
    namespace              = optional(string, "fedcost")
    service_account        = optional(string, "fedcost-agent")
    gke_workload_identity  = optional(bool, true)
    workload_identity_pool = optional(string)
    members                = optional(list(string), [])
  }))
  default = {}

  validation {
    condition = alltrue([
      for id in keys(var.clusters) : can(regex("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$", id)) && !contains(["combined", "quarantine"], id)
    ])
    error_message = "cluster ids must match ^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$ and must not be \"combined\" or \"quarantine\"."
  }
}

variable "query_reader" {
  description = "Optional service account for the query pod (read-only on federated/combined/ and federated/quarantine/), impersonated via GKE Workload Identity."
  type = object({
    namespace              = optional(string, "fedcost")
    service_account        = optional(string, "fedcost-query")
    workload_identity_pool = optional(string)
    members                = optional(list(string), [])
  })
  default = null
}

variable "source_zip_path" {
  description = "dist/fedcost-gcf-source.zip built by `make package`."
  type        = string
}

variable "go_runtime" {
  description = "Cloud Functions Go runtime id (check `gcloud functions runtimes list`)."
  type        = string
  default     = "go125"
}

variable "ingest_max_instances" {
  description = "Maximum concurrent ingest instances (one event per instance): bounds write contention."
  type        = number
  default     = 20
}

variable "ingest_memory" {
  description = "Memory of the ingest function."
  type        = string
  default     = "512M"
}

variable "reconcile_memory" {
  description = "Memory of the reconcile function."
  type        = string
  default     = "1Gi"
}

variable "reconcile_schedule" {
  description = "Cron schedule (UTC) of the reconcile job. Empty disables it."
  type        = string
  default     = "17 * * * *"
}

variable "log_level" {
  description = "FEDCOST_LOG_LEVEL of the functions."
  type        = string
  default     = "info"
}

variable "enable_apis" {
  description = "Enable the Google APIs the module needs (never disabled on destroy)."
  type        = bool
  default     = true
}

variable "create_bigquery_tables" {
  description = "Create a BigQuery dataset with external tables (Hive partitioning) over the derived Parquet."
  type        = bool
  default     = true
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset; must be compatible with the bucket location. Null: the bucket location."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels added to every resource that takes labels."
  type        = map(string)
  default     = {}
}
