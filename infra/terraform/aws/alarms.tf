# CloudWatch alarms: events that failed max_receive_count times (DLQ depth), function errors, events
# waiting too long, and (optional) stale clusters from a metric a metrics pipeline publishes.

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-ingest-dlq-not-empty"
  alarm_description   = "fedcost: S3 events failed ${var.max_receive_count} times and sit in ${aws_sqs_queue.dlq.name}. Fix the cause (function logs), then redrive the DLQ or run a reconcile."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-ingest-errors"
  alarm_description   = "fedcost: the ingest function failed (invocation errors, including scheduled reconcile runs)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.ingest.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "event_age" {
  count = var.create_alarms ? 1 : 0

  alarm_name          = "${var.name}-ingest-lagging"
  alarm_description   = "fedcost: the oldest unprocessed upload event is older than ${var.event_age_alarm_seconds}s (throttling, max_concurrency too low, or failing batches)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.events.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.event_age_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "stale_cluster" {
  count = var.stale_cluster_alarm == null ? 0 : 1

  alarm_name          = "${var.name}-stale-cluster"
  alarm_description   = "fedcost: at least one cluster has not uploaded recently (query pod metric ${var.stale_cluster_alarm.metric_name}). See /model/federation/status."
  namespace           = var.stale_cluster_alarm.namespace
  metric_name         = var.stale_cluster_alarm.metric_name
  dimensions          = var.stale_cluster_alarm.dimensions
  statistic           = "Maximum"
  period              = var.stale_cluster_alarm.period_seconds
  evaluation_periods  = var.stale_cluster_alarm.evaluation_periods
  threshold           = var.stale_cluster_alarm.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = var.stale_cluster_alarm.treat_missing_data
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = var.tags
}
