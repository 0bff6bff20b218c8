# Per-cluster writers: a service account per cluster id whose only grant is roles/storage.objectUser
# under an IAM condition: objects whose name starts with <root><cluster_id>/, and listing only with
# that prefix. The optional query reader may only read and list <root>combined/ and <root>quarantine/.

locals {
  # Service account ids are 6-30 characters, so they carry a hash of the cluster id; the display
  # name and description carry the id itself.
  writer_account_ids = { for id in keys(var.clusters) : id => "${var.name}-w-${substr(sha1(id), 0, 8)}" }

  writer_conditions = {
    for id in keys(var.clusters) : id => join(" || ", [
      "resource.name.startsWith(\"${local.objects}${local.root}${id}/\")",
      "(resource.type == \"storage.googleapis.com/Bucket\" && api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${local.root}${id}/\"))",
    ])
  }

  reader_condition = join(" || ", [
    "resource.name.startsWith(\"${local.objects}${local.combined}\")",
    "resource.name.startsWith(\"${local.objects}${local.quarantine}\")",
    "(resource.type == \"storage.googleapis.com/Bucket\" && (api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${local.combined}\") || api.getAttribute(\"storage.googleapis.com/objectListPrefix\", \"\").startsWith(\"${local.quarantine}\")))",
  ])

  default_pool = "${var.project}.svc.id.goog"

  writer_impersonators = merge([
    for id, c in var.clusters : {
      for m in concat(
        c.gke_workload_identity ? ["serviceAccount:${coalesce(c.workload_identity_pool, local.default_pool)}[${c.namespace}/${c.service_account}]"] : [],
        c.members,
      ) : "${id}|${m}" => { id = id, member = m }
    }
  ]...)
}

resource "google_service_account" "writer" {
  for_each = var.clusters

  project      = var.project
  account_id   = local.writer_account_ids[each.key]
  display_name = "fedcost agent ${each.key}"
  description  = "Writes only ${local.root}${each.key}/ in gs://${var.bucket_name}"
}

resource "google_storage_bucket_iam_member" "writer" {
  for_each = var.clusters

  bucket = local.bucket_name
  role   = "roles/storage.objectUser"
  member = google_service_account.writer[each.key].member

  condition {
    title       = "fedcost-writer-${each.key}"
    description = "Only federated/${each.key}/"
    expression  = local.writer_conditions[each.key]
  }
}

resource "google_service_account_iam_member" "writer_impersonation" {
  for_each = local.writer_impersonators

  service_account_id = google_service_account.writer[each.value.id].name
  role               = "roles/iam.workloadIdentityUser"
  member             = each.value.member
}

resource "google_service_account" "reader" {
  count = var.query_reader == null ? 0 : 1

  project      = var.project
  account_id   = "${var.name}-query"
  display_name = "fedcost query pod"
  description  = "Reads only ${local.combined} and ${local.quarantine} in gs://${var.bucket_name}"
}

resource "google_storage_bucket_iam_member" "reader" {
  count = var.query_reader == null ? 0 : 1

  bucket = local.bucket_name
  role   = "roles/storage.objectViewer"
  member = google_service_account.reader[0].member

  condition {
    title       = "fedcost-query"
    description = "Only derived data and quarantine records"
    expression  = local.reader_condition
  }
}

resource "google_service_account_iam_member" "reader_impersonation" {
  for_each = var.query_reader == null ? toset([]) : toset(concat(
    ["serviceAccount:${coalesce(var.query_reader.workload_identity_pool, local.default_pool)}[${var.query_reader.namespace}/${var.query_reader.service_account}]"],
    var.query_reader.members,
  ))

  service_account_id = google_service_account.reader[0].name
  role               = "roles/iam.workloadIdentityUser"
  member             = each.key
}
