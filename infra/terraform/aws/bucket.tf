# The federated bucket. With create_bucket = false none of these resources exist and the existing
# bucket keeps its own encryption, public access block, policy and (unless manage_lifecycle) lifecycle.

resource "aws_s3_bucket" "this" {
  count = var.create_bucket ? 1 : 0

  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  rule {
    object_ownership = "BucketOwnerEnforced" # no ACLs: the bucket owner owns every upload
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.create_bucket && var.enable_versioning ? 1 : 0
  bucket = aws_s3_bucket.this[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "this" {
  count  = var.create_bucket ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.this]
}

locals {
  # S3 lifecycle filters match a literal key prefix, never a wildcard cluster id, so uploads get one
  # rule per (declared cluster, kind, resolution). Derived data is laid out by resolution first
  # (combined/<kind>/resolution=<r>/…) and needs one rule per (kind, resolution).
  upload_rules = flatten([
    for id in sort(keys(var.clusters)) : [
      for kind in ["allocations", "assets"] : [
        { id = "fedcost-upload-1h-${kind}-${id}", prefix = "${local.root}${id}/etl/${kind}/1h/", days = var.upload_hourly_retention_days },
        { id = "fedcost-upload-1d-${kind}-${id}", prefix = "${local.root}${id}/etl/${kind}/1d/", days = var.upload_daily_retention_days },
      ]
    ]
  ])
  derived_rules = flatten([
    for kind in ["allocations", "assets"] : [
      { id = "fedcost-derived-1h-${kind}", prefix = "${local.combined}${kind}/resolution=1h/", days = var.derived_hourly_retention_days },
      { id = "fedcost-derived-1d-${kind}", prefix = "${local.combined}${kind}/resolution=1d/", days = var.derived_daily_retention_days },
    ]
  ])
  quarantine_rules = [{ id = "fedcost-quarantine", prefix = local.quarantine, days = var.quarantine_retention_days }]

  # days = 0 means "keep forever": no rule.
  expiration_rules = [for r in concat(local.upload_rules, local.derived_rules, local.quarantine_rules) : r if r.days > 0]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count  = local.manage_lifecycle ? 1 : 0
  bucket = local.bucket_id

  rule {
    id     = "fedcost-abort-incomplete-multipart"
    status = "Enabled"
    filter {
      prefix = local.root
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  dynamic "rule" {
    for_each = var.enable_versioning ? [1] : []
    content {
      id     = "fedcost-noncurrent-versions"
      status = "Enabled"
      filter {
        prefix = local.root
      }
      noncurrent_version_expiration {
        noncurrent_days = var.noncurrent_version_retention_days
      }
    }
  }

  dynamic "rule" {
    for_each = local.expiration_rules
    content {
      id     = rule.value.id
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      expiration {
        days = rule.value.days
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(local.expiration_rules) + 2 <= 1000
      error_message = "S3 allows 1000 lifecycle rules per bucket; each declared cluster takes 4. Set upload retention to 0 and expire uploads by other means, or split clusters across buckets."
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}
