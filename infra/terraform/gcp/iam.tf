# Service accounts of the aggregator side:
# - ingest: runtime of both functions; reads every object, writes only <root>combined/ and
#   <root>quarantine/ (roles/storage.objectUser under an IAM condition on resource.name);
# - trigger: the Eventarc trigger identity; may only invoke the ingest function;
# - scheduler: the Cloud Scheduler identity; may only invoke the reconcile function.

data "google_storage_project_service_account" "gcs" {
  project = var.project
}

resource "google_service_account" "ingest" {
  project      = var.project
  account_id   = "${var.name}-ingest"
  display_name = "fedcost ingest and reconcile functions"
}

resource "google_service_account" "trigger" {
  project      = var.project
  account_id   = "${var.name}-trigger"
  display_name = "fedcost Eventarc trigger (invokes the ingest function)"
}

resource "google_service_account" "scheduler" {
  project      = var.project
  account_id   = "${var.name}-scheduler"
  display_name = "fedcost Cloud Scheduler (invokes the reconcile function)"
}

resource "google_storage_bucket_iam_member" "ingest_read" {
  bucket = local.bucket_name
  role   = "roles/storage.objectViewer"
  member = google_service_account.ingest.member
}

resource "google_storage_bucket_iam_member" "ingest_write" {
  bucket = local.bucket_name
  role   = "roles/storage.objectUser"
  member = google_service_account.ingest.member

  condition {
    title       = "fedcost-ingest-outputs"
    description = "Write only derived data and quarantine records"
    expression  = "resource.name.startsWith(\"${local.objects}${local.combined}\") || resource.name.startsWith(\"${local.objects}${local.quarantine}\")"
  }
}

# GCS publishes finalize events through Pub/Sub.
resource "google_project_iam_member" "gcs_publisher" {
  project = var.project
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

resource "google_project_iam_member" "trigger_receiver" {
  project = var.project
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "trigger_invoker" {
  project  = var.project
  location = var.region
  name     = google_cloudfunctions2_function.ingest.name
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

resource "google_cloud_run_v2_service_iam_member" "scheduler_invoker" {
  project  = var.project
  location = var.region
  name     = google_cloudfunctions2_function.reconcile.name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}
