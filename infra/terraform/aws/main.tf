# fedcost on AWS: one bucket that every cluster's agent uploads to, an ingest Lambda fed by
# S3 -> SQS (with a dead-letter queue) and by an hourly EventBridge reconcile, least-privilege IAM for
# the function and for each cluster's writer, Glue tables over the derived Parquet, and alarms.
#
# Why derived writes never retrigger the function: the notification only matches uploads
# (prefix <root>, suffix ".json.gz", and optionally "/heartbeat.json"); the function writes only
# .parquet and .json objects under <root>combined/ and <root>quarantine/, so none of its own writes
# match. The function's early-return guard (keys under the reserved ids "combined" and "quarantine"
# are never uploads) covers the one overlap left: a cluster named "heartbeat" whose status object
# <root>combined/status/heartbeat.json ends in "/heartbeat.json". Lambda recursive-loop detection is
# also set to Terminate.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  prefix     = trim(var.prefix, "/")
  root       = local.prefix == "" ? "federated/" : "${local.prefix}/federated/"
  combined   = "${local.root}combined/"
  quarantine = "${local.root}quarantine/"

  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  bucket_arn = "arn:${local.partition}:s3:::${var.bucket_name}"
  # Referencing the created bucket orders its creation before everything that uses it.
  bucket_id = var.create_bucket ? aws_s3_bucket.this[0].id : var.bucket_name

  manage_lifecycle = coalesce(var.manage_lifecycle, var.create_bucket)
  function_name    = "${var.name}-ingest"
}
