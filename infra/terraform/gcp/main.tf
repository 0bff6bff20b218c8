# fedcost on GCP: one bucket every agent uploads to, a Cloud Functions (gen2) ingest function on the
# GCS finalize event (RETRY_POLICY_RETRY), a reconcile function that Cloud Scheduler calls hourly,
# least-privilege service accounts, per-cluster writers limited to their prefix by IAM conditions,
# and BigQuery external tables over the derived Parquet.
#
# Self-triggering: GCS triggers filter on the bucket only (no prefix/suffix filter), so every derived
# or quarantine write also fires the ingest function. We keep derived data in the same bucket (the
# layout contract: the query pod reads <root>combined/ from the same store) and rely on the
# function's early-return guard: a key that is not an upload (anything under the reserved ids
# "combined" and "quarantine", or any key that does not parse) is acknowledged without reading or
# writing anything, so it cannot loop. Cost: one short no-op invocation per derived write.

locals {
  prefix          = trim(var.prefix, "/")
  root            = local.prefix == "" ? "federated/" : "${local.prefix}/federated/"
  combined        = "${local.root}combined/"
  quarantine      = "${local.root}quarantine/"
  bucket_location = coalesce(var.bucket_location, var.region)
  bucket_name     = var.create_bucket ? google_storage_bucket.this[0].name : var.bucket_name
  # Object resource names in IAM conditions: projects/_/buckets/<bucket>/objects/<key>.
  objects = "projects/_/buckets/${var.bucket_name}/objects/"

  function_env = merge(
    {
      FEDCOST_BUCKET    = var.bucket_name
      FEDCOST_LOG_LEVEL = var.log_level
    },
    local.prefix == "" ? {} : { FEDCOST_PREFIX = local.prefix },
  )

  apis = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ]
}

resource "google_project_service" "this" {
  for_each = var.enable_apis ? toset(local.apis) : toset([])

  project            = var.project
  service            = each.key
  disable_on_destroy = false
}
