# BigQuery external tables over the derived Parquet, with Hive partitioning on the
# resolution=…/date=…/cluster=… directories. Queries read GCS with the caller's credentials: grant
# readers roles/storage.objectViewer on the bucket (or use a BigLake connection).

resource "google_bigquery_dataset" "this" {
  count = var.create_bigquery_tables ? 1 : 0

  project     = var.project
  dataset_id  = replace("${var.name}_federated", "-", "_")
  location    = coalesce(var.bigquery_location, local.bucket_location)
  description = "fedcost derived cost data in gs://${var.bucket_name}/${local.combined}"
  labels      = var.labels

  depends_on = [google_project_service.this]
}

resource "google_bigquery_table" "derived" {
  for_each = var.create_bigquery_tables ? toset(["allocations", "assets"]) : toset([])

  project             = var.project
  dataset_id          = google_bigquery_dataset.this[0].dataset_id
  table_id            = each.key
  description         = "fedcost ${each.key} per cluster and window"
  deletion_protection = false
  labels              = var.labels

  external_data_configuration {
    source_format = "PARQUET"
    autodetect    = true
    source_uris   = ["gs://${var.bucket_name}/${local.combined}${each.key}/*"]

    hive_partitioning_options {
      mode                     = "CUSTOM"
      source_uri_prefix        = "gs://${var.bucket_name}/${local.combined}${each.key}/{resolution:STRING}/{date:DATE}/{cluster:STRING}"
      require_partition_filter = false
    }
  }
}
