# The federated bucket (only with create_bucket = true).

locals {
  # GCS lifecycle conditions match literal prefixes, so uploads get prefixes per declared cluster.
  lifecycle_groups = [
    {
      days     = var.upload_hourly_retention_days
      prefixes = flatten([for id in sort(keys(var.clusters)) : ["${local.root}${id}/etl/allocations/1h/", "${local.root}${id}/etl/assets/1h/"]])
    },
    {
      days     = var.upload_daily_retention_days
      prefixes = flatten([for id in sort(keys(var.clusters)) : ["${local.root}${id}/etl/allocations/1d/", "${local.root}${id}/etl/assets/1d/"]])
    },
    {
      days     = var.derived_hourly_retention_days
      prefixes = ["${local.combined}allocations/resolution=1h/", "${local.combined}assets/resolution=1h/"]
    },
    {
      days     = var.derived_daily_retention_days
      prefixes = ["${local.combined}allocations/resolution=1d/", "${local.combined}assets/resolution=1d/"]
    },
    {
      days     = var.quarantine_retention_days
      prefixes = [local.quarantine]
    },
  ]
  lifecycle_rules = [for g in local.lifecycle_groups : g if g.days > 0 && length(g.prefixes) > 0]
}

resource "google_storage_bucket" "this" {
  count = var.create_bucket ? 1 : 0

  project                     = var.project
  name                        = var.bucket_name
  location                    = local.bucket_location
  force_destroy               = var.force_destroy
  uniform_bucket_level_access = true # required for the IAM conditions below
  public_access_prevention    = "enforced"
  labels                      = var.labels

  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "lifecycle_rule" {
    for_each = local.lifecycle_rules
    content {
      condition {
        age            = lifecycle_rule.value.days
        matches_prefix = lifecycle_rule.value.prefixes
      }
      action {
        type = "Delete"
      }
    }
  }

  depends_on = [google_project_service.this]
}
