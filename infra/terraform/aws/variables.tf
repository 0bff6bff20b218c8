# Inputs of the fedcost AWS module. Every default is what a first deployment wants; the README's
# "AWS" section explains the knobs that change cost or retention.

variable "name" {
  description = "Name prefix for every resource this module creates (function, queues, roles, alarms, Glue database)."
  type        = string
  default     = "fedcost"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and hold at most 32 letters, digits or '-'."
  }
}

variable "bucket_name" {
  description = "The federated bucket: created when create_bucket is true, otherwise an existing bucket in this account."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lower-case letters, digits, '.' or '-')."
  }
}

variable "create_bucket" {
  description = "Create the bucket (with encryption, public access block, TLS-only policy, lifecycle). False: use an existing bucket and leave its configuration alone."
  type        = bool
  default     = true
}

variable "prefix" {
  description = "Optional objstore prefix inside the bucket (federated-store.yaml `prefix`). Keys then live under <prefix>/federated/."
  type        = string
  default     = ""

  validation {
    condition     = var.prefix == "" || can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", trim(var.prefix, "/")))
    error_message = "prefix must be a relative key prefix such as \"kubecost\" or \"team/a\"."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a created bucket that still holds objects."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for SSE-KMS on the created bucket and in the IAM policies. Null: SSE-S3 (AES256)."
  type        = string
  default     = null
}

variable "enable_versioning" {
  description = "Enable versioning on the created bucket (noncurrent versions expire after noncurrent_version_retention_days). Not needed for correctness: writes use ETag conditions."
  type        = bool
  default     = false
}

variable "noncurrent_version_retention_days" {
  description = "Days a noncurrent object version is kept when versioning is enabled."
  type        = number
  default     = 7
}

variable "manage_lifecycle" {
  description = "Write the bucket's lifecycle configuration. It replaces any lifecycle configuration the bucket has, so it defaults to the value of create_bucket."
  type        = bool
  default     = null
}

variable "upload_hourly_retention_days" {
  description = "Days an agent's hourly (1h) upload is kept. 0 keeps it forever. Applies to the clusters listed in `clusters` (S3 lifecycle filters cannot match a wildcard cluster id)."
  type        = number
  default     = 30

  validation {
    condition     = var.upload_hourly_retention_days >= 0 && floor(var.upload_hourly_retention_days) == var.upload_hourly_retention_days
    error_message = "upload_hourly_retention_days must be a whole number >= 0 (0 = keep forever)."
  }
}

variable "upload_daily_retention_days" {
  description = "Days an agent's daily (1d) upload is kept. 0 keeps it forever. Applies to the clusters listed in `clusters`."
  type        = number
  default     = 400

  validation {
    condition     = var.upload_daily_retention_days == 0 || (var.upload_daily_retention_days >= 366 && floor(var.upload_daily_retention_days) == var.upload_daily_retention_days)
    error_message = "upload_daily_retention_days must keep daily data at least a year (>= 366) or be 0 (keep forever)."
  }
}

variable "derived_hourly_retention_days" {
  description = "Days a derived hourly object (federated/combined/*/resolution=1h/) is kept. 0 keeps it forever. Must be >= upload_hourly_retention_days (or 0), else the reconciler re-derives what the lifecycle deleted."
  type        = number
  default     = 90

  validation {
    condition = var.derived_hourly_retention_days == 0 || (
      var.upload_hourly_retention_days != 0 && var.derived_hourly_retention_days >= var.upload_hourly_retention_days
    )
    error_message = "derived_hourly_retention_days must be 0 (forever) or >= upload_hourly_retention_days (and uploads must then expire too): an expired derived object whose upload still exists is re-derived by the reconciler."
  }
}

variable "derived_daily_retention_days" {
  description = "Days a derived daily object (federated/combined/*/resolution=1d/) is kept. 0 keeps it forever. Must be >= upload_daily_retention_days (or 0)."
  type        = number
  default     = 730

  validation {
    condition = var.derived_daily_retention_days == 0 || (
      var.upload_daily_retention_days != 0 && var.derived_daily_retention_days >= var.upload_daily_retention_days && var.derived_daily_retention_days >= 366
    )
    error_message = "derived_daily_retention_days must be 0 (forever) or >= max(366, upload_daily_retention_days): daily data is kept at least a year, and an expired derived object whose upload still exists is re-derived."
  }
}

variable "quarantine_retention_days" {
  description = "Days a quarantine record (federated/quarantine/) is kept. 0 keeps it forever. The refused upload itself is never touched by fedcost."
  type        = number
  default     = 90
}

variable "clusters" {
  description = <<-EOT
    Clusters that upload, keyed by cluster id. Each gets an IAM writer role that may write only
    federated/<cluster_id>/ (trusted by EKS IRSA through oidc_provider_arn + namespace/service_account,
    by EKS Pod Identity, and/or by the given principal ARNs), lifecycle rules for its uploads, and a
    ready federated-store.yaml in the outputs.
  EOT
  type = map(object({
    oidc_provider_arn = optional(string)
    namespace         = optional(string, "fedcost")
    service_account   = optional(string, "fedcost-agent")
    pod_identity      = optional(bool, false)
    principal_arns    = optional(list(string), [])
  }))
  default = {}

  validation {
    condition = alltrue([
      for id in keys(var.clusters) : can(regex("^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$", id)) && !contains(["combined", "quarantine"], id)
    ])
    error_message = "cluster ids must match ^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$ and must not be the reserved names \"combined\" or \"quarantine\"."
  }

  validation {
    condition = alltrue([
      for c in values(var.clusters) : c.oidc_provider_arn != null || c.pod_identity || length(c.principal_arns) > 0
    ])
    error_message = "every cluster needs a trust: oidc_provider_arn (IRSA), pod_identity = true, or principal_arns."
  }

  validation {
    condition = alltrue([
      for c in values(var.clusters) : c.oidc_provider_arn == null || can(regex("^arn:[a-z-]+:iam::[0-9]{12}:oidc-provider/.+$", c.oidc_provider_arn))
    ])
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)."
  }
}

variable "extra_cluster_ids" {
  description = "Cluster ids that upload without a writer role from this module (e.g. they use their own credentials). Only used for Athena partition projection."
  type        = list(string)
  default     = []
}

variable "query_reader" {
  description = "Optional IRSA/Pod Identity role for the query pod: read-only on federated/combined/ and federated/quarantine/."
  type = object({
    oidc_provider_arn = optional(string)
    namespace         = optional(string, "fedcost")
    service_account   = optional(string, "fedcost-query")
    pod_identity      = optional(bool, false)
    principal_arns    = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.query_reader == null || try(var.query_reader.oidc_provider_arn != null || var.query_reader.pod_identity || length(var.query_reader.principal_arns) > 0, false)
    error_message = "query_reader needs a trust: oidc_provider_arn (IRSA), pod_identity = true, or principal_arns."
  }
}

variable "lambda_zip_path" {
  description = "Path of dist/fedcost-lambda-<arch>.zip built by `make package`. Set this or lambda_s3_bucket + lambda_s3_key."
  type        = string
  default     = null
}

variable "lambda_s3_bucket" {
  description = "Bucket holding the Lambda zip (alternative to lambda_zip_path)."
  type        = string
  default     = null
}

variable "lambda_s3_key" {
  description = "Key of the Lambda zip in lambda_s3_bucket."
  type        = string
  default     = null

  validation {
    condition     = (var.lambda_zip_path != null) != (var.lambda_s3_bucket != null && var.lambda_s3_key != null)
    error_message = "set exactly one of lambda_zip_path or (lambda_s3_bucket and lambda_s3_key)."
  }
}

variable "lambda_architecture" {
  description = "Lambda architecture; must match the zip (fedcost-lambda-arm64.zip or fedcost-lambda-amd64.zip)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_memory_mb" {
  description = "Lambda memory (MB). Derivation of one cluster window is small; 512 MB is ample for thousands of pods per cluster."
  type        = number
  default     = 512
}

variable "lambda_timeout_seconds" {
  description = "Lambda timeout. The reconcile budget (FEDCOST_RECONCILE_BUDGET) is set 60 s below it."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout_seconds >= 120 && var.lambda_timeout_seconds <= 900
    error_message = "lambda_timeout_seconds must be between 120 and 900."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency for the function (-1: unreserved). The SQS mapping's max_concurrency already bounds event-driven runs."
  type        = number
  default     = -1
}

variable "log_level" {
  description = "FEDCOST_LOG_LEVEL of the function (debug, info, warn, error)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the function's log group."
  type        = number
  default     = 30
}

variable "sqs_batch_size" {
  description = "Maximum S3 events per Lambda invocation (the function reports partial batch failures)."
  type        = number
  default     = 50

  validation {
    condition     = var.sqs_batch_size >= 1 && var.sqs_batch_size <= 10000
    error_message = "sqs_batch_size must be between 1 and 10000."
  }
}

variable "sqs_batching_window_seconds" {
  description = "How long the mapping gathers events before invoking (needed for batch sizes above 10)."
  type        = number
  default     = 5
}

variable "max_concurrency" {
  description = "Maximum concurrent Lambda invocations the SQS mapping starts (2-1000): bounds write contention and S3 request rate."
  type        = number
  default     = 10

  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000
    error_message = "max_concurrency must be between 2 and 1000 (an SQS event source mapping limit)."
  }
}

variable "max_receive_count" {
  description = "Deliveries of one event before it moves to the dead-letter queue."
  type        = number
  default     = 5
}

variable "manage_bucket_notification" {
  description = "Write the bucket's notification configuration (S3 allows one per bucket, and this replaces it). False: add the rules from output `bucket_notification_rules` yourself."
  type        = bool
  default     = true
}

variable "notify_heartbeat" {
  description = "Also send federated/<cluster_id>/heartbeat.json uploads to the function (keeps per-cluster status and duplicate-install detection fresh between ETL uploads)."
  type        = bool
  default     = true
}

variable "reconcile_schedule" {
  description = "EventBridge schedule of the reconcile pass (heals dropped events). Empty disables it."
  type        = string
  default     = "rate(1 hour)"
}

variable "create_glue_tables" {
  description = "Create a Glue database with external tables over the derived Parquet for Athena."
  type        = bool
  default     = true
}

variable "glue_partition_projection" {
  description = "Use Athena partition projection (no crawler, no MSCK REPAIR). Cluster values come from `clusters` and `extra_cluster_ids`; with none, the cluster partition is `injected` (queries must filter on cluster)."
  type        = bool
  default     = true
}

variable "glue_projection_start_date" {
  description = "First date (YYYY-MM-DD) of the projected date partitions."
  type        = string
  default     = "2024-01-01"
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "create_alarms" {
  description = "Create CloudWatch alarms on DLQ depth, function errors and event age."
  type        = bool
  default     = true
}

variable "event_age_alarm_seconds" {
  description = "Alarm when the oldest unprocessed S3 event is older than this."
  type        = number
  default     = 900
}

variable "stale_cluster_alarm" {
  description = <<-EOT
    Optional alarm on a CloudWatch metric that a metrics pipeline publishes from the query pod's
    `fedcost_cluster_stale` gauge (e.g. the CloudWatch agent's Prometheus scraping or ADOT with the
    EMF exporter). Alarms when the metric's Maximum over `period_seconds` exceeds `threshold`.
    treat_missing_data "breaching" also alarms when the pipeline stops publishing.
  EOT
  type = object({
    namespace          = string
    metric_name        = optional(string, "fedcost_cluster_stale")
    dimensions         = optional(map(string), {})
    threshold          = optional(number, 0)
    period_seconds     = optional(number, 300)
    evaluation_periods = optional(number, 3)
    treat_missing_data = optional(string, "breaching")
  })
  default = null
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}
