output "bucket_name" {
  description = "The federated bucket."
  value       = local.bucket_id
}

output "bucket_arn" {
  description = "ARN of the federated bucket."
  value       = local.bucket_arn
}

output "federated_root" {
  description = "Key prefix of the federated tree (<prefix>/federated/)."
  value       = local.root
}

output "function_name" {
  description = "Name of the ingest Lambda function."
  value       = aws_lambda_function.ingest.function_name
}

output "function_arn" {
  description = "ARN of the ingest Lambda function."
  value       = aws_lambda_function.ingest.arn
}

output "function_role_arn" {
  description = "ARN of the ingest function's IAM role."
  value       = aws_iam_role.ingest.arn
}

output "events_queue_arn" {
  description = "ARN of the SQS queue that receives upload events."
  value       = aws_sqs_queue.events.arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (inspect, then redrive to the events queue)."
  value       = aws_sqs_queue.dlq.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "bucket_notification_rules" {
  description = "The S3 notification rules this module writes (or that you add yourself with manage_bucket_notification = false)."
  value = [for r in local.notification_rules : {
    id            = r.id
    queue_arn     = aws_sqs_queue.events.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = r.prefix
    filter_suffix = r.suffix
  }]
}

output "writer_role_arns" {
  description = "IAM role ARN per cluster id (annotate the agent's service account with eks.amazonaws.com/role-arn)."
  value       = { for id, r in aws_iam_role.writer : id => r.arn }
}

output "query_role_arn" {
  description = "IAM role ARN of the query pod (null without query_reader)."
  value       = var.query_reader == null ? null : aws_iam_role.reader[0].arn
}

output "federated_store_yaml" {
  description = "A ready federated-store.yaml per cluster id."
  value = {
    for id, r in aws_iam_role.writer : id => templatefile("${path.module}/templates/federated-store.yaml.tftpl", {
      who        = "cluster ${id}"
      role_arn   = r.arn
      bucket     = var.bucket_name
      region     = local.region
      dns_suffix = local.dns_suffix
      prefix     = local.prefix
    })
  }
}

output "query_store_yaml" {
  description = "federated-store.yaml for the query pod (null without query_reader)."
  value = var.query_reader == null ? null : templatefile("${path.module}/templates/federated-store.yaml.tftpl", {
    who        = "the fedcost query pod"
    role_arn   = aws_iam_role.reader[0].arn
    bucket     = var.bucket_name
    region     = local.region
    dns_suffix = local.dns_suffix
    prefix     = local.prefix
  })
}

output "agent_helm_values" {
  description = "Helm values for the fedcost-agent chart per cluster id (cluster id + IRSA annotation)."
  value = {
    for id, r in aws_iam_role.writer : id => yamlencode({
      clusterId = id
      serviceAccount = {
        name        = var.clusters[id].service_account
        annotations = { "eks.amazonaws.com/role-arn" = r.arn }
      }
    })
  }
}

output "glue_database_name" {
  description = "Glue database holding the `allocations` and `assets` tables (null when disabled)."
  value       = var.create_glue_tables ? aws_glue_catalog_database.this[0].name : null
}
