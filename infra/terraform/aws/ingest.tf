# Event path: S3 ObjectCreated (uploads only) -> SQS (redrive to a DLQ) -> Lambda batches with partial
# failures and bounded concurrency; plus an EventBridge schedule -> the same Lambda for reconcile.

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-ingest-dlq"
  message_retention_seconds = 1209600 # 14 days, the SQS maximum: time to inspect and redrive
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "events" {
  name                       = "${var.name}-ingest-events"
  visibility_timeout_seconds = 6 * var.lambda_timeout_seconds # AWS guidance for Lambda consumers
  message_retention_seconds  = 345600                         # 4 days; the reconciler heals anything older
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.events.arn]
  })
}

resource "aws_sqs_queue_policy" "events" {
  queue_url = aws_sqs_queue.events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowBucketNotifications"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.events.arn
      Condition = {
        ArnEquals    = { "aws:SourceArn" = local.bucket_arn }
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
}

locals {
  # Uploads end in .json.gz; derived objects end in .parquet or .json, so they never match.
  notification_rules = concat(
    [{ id = "fedcost-etl-uploads", prefix = local.root, suffix = ".json.gz" }],
    var.notify_heartbeat ? [{ id = "fedcost-heartbeats", prefix = local.root, suffix = "/heartbeat.json" }] : [],
  )
}

resource "aws_s3_bucket_notification" "uploads" {
  count  = var.manage_bucket_notification ? 1 : 0
  bucket = local.bucket_id

  dynamic "queue" {
    for_each = local.notification_rules
    content {
      id            = queue.value.id
      queue_arn     = aws_sqs_queue.events.arn
      events        = ["s3:ObjectCreated:*"]
      filter_prefix = queue.value.prefix
      filter_suffix = queue.value.suffix
    }
  }

  depends_on = [aws_sqs_queue_policy.events]
}

resource "aws_cloudwatch_log_group" "ingest" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "ingest" {
  function_name = local.function_name
  description   = "fedcost ingest: derives federated/combined/ from uploads; reconciles on schedule"
  role          = aws_iam_role.ingest.arn
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = [var.lambda_architecture]

  filename         = var.lambda_zip_path
  source_code_hash = var.lambda_zip_path == null ? null : filebase64sha256(var.lambda_zip_path)
  s3_bucket        = var.lambda_s3_bucket
  s3_key           = var.lambda_s3_key

  memory_size                    = var.lambda_memory_mb
  timeout                        = var.lambda_timeout_seconds
  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    variables = merge(
      {
        FEDCOST_BUCKET = var.bucket_name
        # A reconcile pass stops starting new work this long after it began, well before the timeout.
        FEDCOST_RECONCILE_BUDGET = "${var.lambda_timeout_seconds - 60}s"
        FEDCOST_LOG_LEVEL        = var.log_level
      },
      local.prefix == "" ? {} : { FEDCOST_PREFIX = local.prefix },
    )
  }

  tags       = var.tags
  depends_on = [aws_cloudwatch_log_group.ingest, aws_iam_role_policy.ingest]
}

resource "aws_lambda_function_recursion_config" "ingest" {
  function_name  = aws_lambda_function.ingest.function_name
  recursive_loop = "Terminate"
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn                   = aws_sqs_queue.events.arn
  function_name                      = aws_lambda_function.ingest.arn
  batch_size                         = var.sqs_batch_size
  maximum_batching_window_in_seconds = var.sqs_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrency
  }
}

# Reconcile: EventBridge sends its "Scheduled Event"; the function runs a reconcile pass for it.
resource "aws_cloudwatch_event_rule" "reconcile" {
  count               = var.reconcile_schedule == "" ? 0 : 1
  name                = "${var.name}-reconcile"
  description         = "fedcost reconcile: re-derive what dropped events missed"
  schedule_expression = var.reconcile_schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "reconcile" {
  count     = var.reconcile_schedule == "" ? 0 : 1
  rule      = aws_cloudwatch_event_rule.reconcile[0].name
  target_id = "fedcost-reconcile"
  arn       = aws_lambda_function.ingest.arn
}

resource "aws_lambda_permission" "reconcile" {
  count         = var.reconcile_schedule == "" ? 0 : 1
  statement_id  = "AllowEventBridgeReconcile"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ingest.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reconcile[0].arn
}

# Scheduled runs are asynchronous invocations: no retries, the next run repeats the pass. A failed
# run shows in the function-errors alarm (not in the DLQ, which holds only S3 events so that it can
# be redriven to the events queue as is).
resource "aws_lambda_function_event_invoke_config" "ingest" {
  function_name                = aws_lambda_function.ingest.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 3600
}
