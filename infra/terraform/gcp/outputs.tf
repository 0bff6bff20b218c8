output "bucket_name" {
  description = "The federated bucket."
  value       = local.bucket_name
}

output "federated_root" {
  description = "Key prefix of the federated tree (<prefix>/federated/)."
  value       = local.root
}

output "ingest_function" {
  description = "Name of the ingest function."
  value       = google_cloudfunctions2_function.ingest.name
}

output "reconcile_uri" {
  description = "HTTPS URI of the reconcile function (POST with an identity token of a run.invoker to run a pass now)."
  value       = google_cloudfunctions2_function.reconcile.service_config[0].uri
}

output "ingest_service_account" {
  description = "Service account of the functions."
  value       = google_service_account.ingest.email
}

output "writer_service_accounts" {
  description = "Google service account per cluster id."
  value       = { for id, sa in google_service_account.writer : id => sa.email }
}

output "query_service_account" {
  description = "Google service account of the query pod (null without query_reader)."
  value       = var.query_reader == null ? null : google_service_account.reader[0].email
}

output "federated_store_yaml" {
  description = "A ready federated-store.yaml per cluster id."
  value = {
    for id, sa in google_service_account.writer : id => templatefile("${path.module}/templates/federated-store.yaml.tftpl", {
      who    = "cluster ${id}"
      email  = sa.email
      bucket = var.bucket_name
      prefix = local.prefix
    })
  }
}

output "query_store_yaml" {
  description = "federated-store.yaml for the query pod (null without query_reader)."
  value = var.query_reader == null ? null : templatefile("${path.module}/templates/federated-store.yaml.tftpl", {
    who    = "the fedcost query pod"
    email  = google_service_account.reader[0].email
    bucket = var.bucket_name
    prefix = local.prefix
  })
}

output "agent_helm_values" {
  description = "Helm values for the fedcost-agent chart per cluster id (cluster id + Workload Identity annotation)."
  value = {
    for id, sa in google_service_account.writer : id => yamlencode({
      clusterId = id
      serviceAccount = {
        name        = var.clusters[id].service_account
        annotations = { "iam.gke.io/gcp-service-account" = sa.email }
      }
    })
  }
}

output "bigquery_tables" {
  description = "BigQuery external tables (project.dataset.table) per kind."
  value       = { for k, t in google_bigquery_table.derived : k => "${var.project}.${t.dataset_id}.${t.table_id}" }
}
