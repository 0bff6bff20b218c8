# Ingest (GCS finalize -> FedcostIngest, retried until it succeeds) and reconcile (Cloud Scheduler ->
# FedcostReconcile over HTTP with an OIDC token). Both run as the ingest service account.

resource "google_storage_bucket" "source" {
  project                     = var.project
  name                        = "${var.bucket_name}-gcf-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  depends_on = [google_project_service.this]
}

resource "google_storage_bucket_object" "source" {
  bucket = google_storage_bucket.source.name
  # The content hash in the name makes a new zip redeploy both functions.
  name   = "fedcost-gcf-source-${filemd5(var.source_zip_path)}.zip"
  source = var.source_zip_path
}

resource "google_cloudfunctions2_function" "ingest" {
  project     = var.project
  location    = var.region
  name        = "${var.name}-ingest"
  description = "fedcost ingest: derives federated/combined/ from each upload (ignores non-upload keys)"
  labels      = var.labels

  build_config {
    runtime     = var.go_runtime
    entry_point = "FedcostIngest"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = var.ingest_memory
    timeout_seconds                  = 300
    max_instance_count               = var.ingest_max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.ingest.email
    environment_variables            = local.function_env
  }

  event_trigger {
    trigger_region        = lower(local.bucket_location)
    event_type            = "google.cloud.storage.object.v1.finalized"
    retry_policy          = "RETRY_POLICY_RETRY" # the default drops an event on the first failure
    service_account_email = google_service_account.trigger.email
    event_filters {
      attribute = "bucket"
      value     = local.bucket_name
    }
  }

  depends_on = [
    google_project_iam_member.gcs_publisher,
    google_project_iam_member.trigger_receiver,
    google_storage_bucket_iam_member.ingest_read,
  ]
}

resource "google_cloudfunctions2_function" "reconcile" {
  project     = var.project
  location    = var.region
  name        = "${var.name}-reconcile"
  description = "fedcost reconcile: re-derives what dropped events missed"
  labels      = var.labels

  build_config {
    runtime     = var.go_runtime
    entry_point = "FedcostReconcile"
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory                 = var.reconcile_memory
    timeout_seconds                  = 900
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    # Cloud Scheduler counts as internal traffic for Cloud Run ingress; callers still need run.invoker.
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.ingest.email
    environment_variables          = merge(local.function_env, { FEDCOST_RECONCILE_BUDGET = "840s" })
  }

  depends_on = [google_storage_bucket_iam_member.ingest_read]
}

resource "google_cloud_scheduler_job" "reconcile" {
  count = var.reconcile_schedule == "" ? 0 : 1

  project          = var.project
  region           = var.region
  name             = "${var.name}-reconcile"
  description      = "fedcost hourly reconcile"
  schedule         = var.reconcile_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "960s"

  retry_config {
    retry_count = 0 # the next run repeats the pass
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.reconcile.service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.reconcile.service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invoker]
}
