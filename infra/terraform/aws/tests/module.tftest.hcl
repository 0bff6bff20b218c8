# Offline tests of the AWS module: `terraform test` with a mocked aws provider (no credentials, no
# network). Every run applies against the mock and asserts what the module promises: uploads-only
# notifications, per-cluster and per-function IAM confinement, the DLQ wiring, lifecycle, outputs.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/test"
      user_id    = "AIDATEST"
    }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:eu-west-1:123456789012:function:fedcost-ingest"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:fedcost-ingest/invocations"
      qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:fedcost-ingest:1"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fedcost-ingest" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/fedcost-reconcile" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::fedcost-test-bucket" }
  }
  mock_resource "aws_glue_catalog_database" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:database/fedcost_federated" }
  }
  mock_resource "aws_glue_catalog_table" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:table/fedcost_federated/t" }
  }
}

# Distinct ARNs for the two queues, so that a miswired redrive policy or mapping fails the tests.
override_resource {
  target = aws_sqs_queue.events
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:fedcost-ingest-events"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/fedcost-ingest-events"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/fedcost-ingest-events"
  }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:fedcost-ingest-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/fedcost-ingest-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/fedcost-ingest-dlq"
  }
}

variables {
  bucket_name      = "fedcost-test-bucket"
  lambda_s3_bucket = "artifacts"
  lambda_s3_key    = "fedcost/fedcost-lambda-arm64.zip"
  clusters = {
    "prod-1" = {
      oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD"
      namespace         = "kubecost"
      service_account   = "fedcost-agent"
    }
    "dev.b" = {
      pod_identity   = true
      principal_arns = ["arn:aws:iam::210987654321:role/dev-nodes"]
    }
  }
  query_reader = {
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD"
  }
}

run "notification_matches_uploads_only" {
  assert {
    condition     = length(aws_s3_bucket_notification.uploads) == 1 && length(aws_s3_bucket_notification.uploads[0].queue) == 2
    error_message = "expected one notification configuration with two queue rules (ETL uploads, heartbeats)"
  }
  assert {
    condition     = alltrue([for q in aws_s3_bucket_notification.uploads[0].queue : q.filter_prefix == "federated/"])
    error_message = "every notification rule must be filtered to the prefix federated/"
  }
  assert {
    condition     = join(" ", sort([for q in aws_s3_bucket_notification.uploads[0].queue : q.filter_suffix])) == ".json.gz /heartbeat.json"
    error_message = "notification suffixes must be .json.gz (ETL uploads) and /heartbeat.json"
  }
  assert {
    condition     = alltrue([for q in aws_s3_bucket_notification.uploads[0].queue : q.queue_arn == aws_sqs_queue.events.arn && q.events == toset(["s3:ObjectCreated:*"])])
    error_message = "notifications must send ObjectCreated events to the events queue"
  }
  # Every upload key matches a rule; no derived or quarantine key does (derived writes cannot retrigger).
  assert {
    condition = alltrue([
      for k in [
        "federated/prod-1/etl/allocations/1h/1763629200-1763632800.json.gz",
        "federated/prod-1/etl/assets/1d/1763596800-1763683200.json.gz",
        "federated/dev.b/heartbeat.json",
      ] : anytrue([for q in aws_s3_bucket_notification.uploads[0].queue : startswith(k, q.filter_prefix) && endswith(k, q.filter_suffix)])
    ])
    error_message = "an upload key does not match any notification rule"
  }
  assert {
    condition = alltrue([
      for k in [
        "federated/combined/allocations/resolution=1d/date=2026-11-20/cluster=prod-1/1763596800-1763683200.parquet",
        "federated/combined/assets/resolution=1h/date=2026-11-20/cluster=prod-1/1763629200-1763632800.parquet",
        "federated/combined/status/prod-1.json",
        "federated/quarantine/prod-1/etl/allocations/1h/1763629200-1763632800.json",
        "federated/quarantine/_unknown/x.json",
      ] : !anytrue([for q in aws_s3_bucket_notification.uploads[0].queue : startswith(k, q.filter_prefix) && endswith(k, q.filter_suffix)])
    ])
    error_message = "a derived or quarantine key matches a notification rule: derived writes would retrigger the function"
  }
  assert {
    condition     = aws_lambda_function_recursion_config.ingest.recursive_loop == "Terminate"
    error_message = "recursive loop detection must terminate loops"
  }
}

run "queue_and_dead_letter_queue" {
  assert {
    condition     = jsondecode(aws_sqs_queue.events.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq.arn
    error_message = "the events queue must redrive to the dead-letter queue"
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.events.redrive_policy).maxReceiveCount == 5
    error_message = "maxReceiveCount must default to 5"
  }
  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.events.arn]
    error_message = "the DLQ must accept redrives from the events queue only"
  }
  assert {
    condition     = aws_sqs_queue.events.visibility_timeout_seconds >= aws_lambda_function.ingest.timeout
    error_message = "queue visibility timeout must be at least the function timeout"
  }
  assert {
    condition = (
      aws_lambda_event_source_mapping.events.event_source_arn == aws_sqs_queue.events.arn &&
      aws_lambda_event_source_mapping.events.function_name == aws_lambda_function.ingest.arn &&
      contains(aws_lambda_event_source_mapping.events.function_response_types, "ReportBatchItemFailures") &&
      aws_lambda_event_source_mapping.events.scaling_config[0].maximum_concurrency == 10
    )
    error_message = "the SQS mapping must feed the function with partial batch failures and bounded concurrency"
  }
  assert {
    condition = (
      jsondecode(aws_sqs_queue_policy.events.policy).Statement[0].Principal.Service == "s3.amazonaws.com" &&
      jsondecode(aws_sqs_queue_policy.events.policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == "arn:aws:s3:::fedcost-test-bucket"
    )
    error_message = "only the federated bucket may send to the events queue"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq_depth[0].dimensions.QueueName == aws_sqs_queue.dlq.name
    error_message = "the DLQ alarm must watch the dead-letter queue"
  }
}

run "function" {
  assert {
    condition = (
      aws_lambda_function.ingest.runtime == "provided.al2023" &&
      aws_lambda_function.ingest.handler == "bootstrap" &&
      aws_lambda_function.ingest.architectures == tolist(["arm64"])
    )
    error_message = "the function must be provided.al2023 / bootstrap / arm64"
  }
  assert {
    condition = (
      aws_lambda_function.ingest.environment[0].variables.FEDCOST_BUCKET == "fedcost-test-bucket" &&
      aws_lambda_function.ingest.environment[0].variables.FEDCOST_RECONCILE_BUDGET == "240s" &&
      !contains(keys(aws_lambda_function.ingest.environment[0].variables), "FEDCOST_PREFIX")
    )
    error_message = "function environment: FEDCOST_BUCKET, FEDCOST_RECONCILE_BUDGET below the 300s timeout, no FEDCOST_PREFIX without a prefix"
  }
  assert {
    condition = (
      aws_cloudwatch_event_rule.reconcile[0].schedule_expression == "rate(1 hour)" &&
      aws_cloudwatch_event_target.reconcile[0].arn == aws_lambda_function.ingest.arn &&
      aws_lambda_permission.reconcile[0].principal == "events.amazonaws.com" &&
      aws_lambda_permission.reconcile[0].source_arn == aws_cloudwatch_event_rule.reconcile[0].arn
    )
    error_message = "the hourly reconcile schedule must invoke the function"
  }
}

run "function_iam_writes_only_outputs" {
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.ingest.policy).Statement : s.Resource
      if s.Effect == "Allow" && contains(s.Action, "s3:PutObject")
    ])) == toset(["arn:aws:s3:::fedcost-test-bucket/federated/combined/*", "arn:aws:s3:::fedcost-test-bucket/federated/quarantine/*"])
    error_message = "the function may write only federated/combined/ and federated/quarantine/"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.ingest.policy).Statement : s.NotResource
      if s.Effect == "Deny" && contains(s.Action, "s3:PutObject")
    ])) == toset(["arn:aws:s3:::fedcost-test-bucket/federated/combined/*", "arn:aws:s3:::fedcost-test-bucket/federated/quarantine/*"])
    error_message = "the function policy must deny writes outside its outputs"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.ingest.policy).Statement :
      s.Effect == "Allow" && contains(s.Action, "s3:GetObject") && try(s.Resource, null) == ["arn:aws:s3:::fedcost-test-bucket/federated/*"]
    ])
    error_message = "the function must read uploads under federated/"
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.ingest.policy).Statement :
      alltrue([for a in s.Action : !(startswith(a, "s3:") && endswith(a, "*")) && a != "*"])
    ])
    error_message = "no wildcard actions in the function policy"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.ingest.policy).Statement :
      contains(s.Action, "sqs:ReceiveMessage") && try(s.Resource, null) == [aws_sqs_queue.events.arn]
    ])
    error_message = "the function consumes the events queue"
  }
}

run "writer_iam_confined_to_own_prefix" {
  assert {
    condition = alltrue([
      for id in ["prod-1", "dev.b"] : toset(flatten([
        for s in jsondecode(aws_iam_role_policy.writer[id].policy).Statement : s.Resource
        if s.Effect == "Allow" && contains(s.Action, "s3:PutObject")
      ])) == toset(["arn:aws:s3:::fedcost-test-bucket/federated/${id}/*"])
    ])
    error_message = "each cluster may write only federated/<cluster_id>/*"
  }
  assert {
    condition = alltrue([
      for id in ["prod-1", "dev.b"] : anytrue([
        for s in jsondecode(aws_iam_role_policy.writer[id].policy).Statement :
        s.Effect == "Deny" && contains(s.Action, "s3:PutObject") && try(s.NotResource, null) == ["arn:aws:s3:::fedcost-test-bucket/federated/${id}/*"]
      ])
    ])
    error_message = "each writer policy must deny writes outside its own prefix"
  }
  assert {
    condition = alltrue([
      for id in ["prod-1", "dev.b"] : alltrue([
        for s in jsondecode(aws_iam_role_policy.writer[id].policy).Statement : alltrue([
          for r in try(s.Resource, []) : !strcontains(r, "combined") && !strcontains(r, "quarantine")
        ])
      ])
    ])
    error_message = "a writer must not be granted anything on combined/ or quarantine/"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.writer["prod-1"].policy).Statement :
      contains(s.Action, "s3:ListBucket") && try(s.Condition.StringLike["s3:prefix"], null) == ["federated/prod-1/", "federated/prod-1/*"]
    ])
    error_message = "a writer may list only its own prefix"
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.writer["prod-1"].assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD" &&
      jsondecode(aws_iam_role.writer["prod-1"].assume_role_policy).Statement[0].Action == "sts:AssumeRoleWithWebIdentity" &&
      jsondecode(aws_iam_role.writer["prod-1"].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/PROD:sub"] == "system:serviceaccount:kubecost:fedcost-agent" &&
      jsondecode(aws_iam_role.writer["prod-1"].assume_role_policy).Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/PROD:aud"] == "sts.amazonaws.com" &&
      length(jsondecode(aws_iam_role.writer["prod-1"].assume_role_policy).Statement) == 1
    )
    error_message = "IRSA trust must name the OIDC provider and exactly system:serviceaccount:<ns>:<sa>"
  }
  assert {
    condition = (
      length(jsondecode(aws_iam_role.writer["dev.b"].assume_role_policy).Statement) == 2 &&
      jsondecode(aws_iam_role.writer["dev.b"].assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "fedcost-agent" &&
      jsondecode(aws_iam_role.writer["dev.b"].assume_role_policy).Statement[1].Principal.AWS == ["arn:aws:iam::210987654321:role/dev-nodes"]
    )
    error_message = "Pod Identity trust must be limited to the agent service account; principals trusted as given"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.reader[0].policy).Statement : s.Action if s.Effect == "Allow"
    ])) == toset(["s3:GetObject", "s3:ListBucket"])
    error_message = "the query reader must be read-only"
  }
}

run "lifecycle_rules" {
  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 1
    error_message = "a created bucket gets a lifecycle configuration"
  }
  assert {
    condition = {
      for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : r.filter[0].prefix => r.expiration[0].days
      if length(r.expiration) > 0
      } == {
      "federated/prod-1/etl/allocations/1h/"          = 30
      "federated/prod-1/etl/assets/1h/"               = 30
      "federated/prod-1/etl/allocations/1d/"          = 400
      "federated/prod-1/etl/assets/1d/"               = 400
      "federated/dev.b/etl/allocations/1h/"           = 30
      "federated/dev.b/etl/assets/1h/"                = 30
      "federated/dev.b/etl/allocations/1d/"           = 400
      "federated/dev.b/etl/assets/1d/"                = 400
      "federated/combined/allocations/resolution=1h/" = 90
      "federated/combined/assets/resolution=1h/"      = 90
      "federated/combined/allocations/resolution=1d/" = 730
      "federated/combined/assets/resolution=1d/"      = 730
      "federated/quarantine/"                         = 90
    }
    error_message = "lifecycle expirations differ from the defaults (uploads 30/400 days, derived 90/730, quarantine 90)"
  }
  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.this[0].rule :
      try(r.abort_incomplete_multipart_upload[0].days_after_initiation, 0) == 7
    ])
    error_message = "incomplete multipart uploads must be aborted"
  }
  assert {
    condition = (
      aws_s3_bucket_public_access_block.this[0].block_public_acls &&
      aws_s3_bucket_public_access_block.this[0].block_public_policy &&
      aws_s3_bucket_public_access_block.this[0].ignore_public_acls &&
      aws_s3_bucket_public_access_block.this[0].restrict_public_buckets
    )
    error_message = "public access must be blocked"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "default encryption must be SSE-S3 without a KMS key"
  }
}

run "retention_forever_drops_rules" {
  variables {
    upload_daily_retention_days  = 0
    derived_daily_retention_days = 0
  }
  assert {
    condition = length([
      for r in aws_s3_bucket_lifecycle_configuration.this[0].rule : r
      if length(r.expiration) > 0 && strcontains(r.filter[0].prefix, "1d")
    ]) == 0
    error_message = "retention 0 must keep daily data forever"
  }
}

run "prefix_and_kms" {
  variables {
    prefix      = "/team-a/"
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
  assert {
    condition     = alltrue([for q in aws_s3_bucket_notification.uploads[0].queue : q.filter_prefix == "team-a/federated/"])
    error_message = "with a prefix the notification must filter on <prefix>/federated/"
  }
  assert {
    condition     = aws_lambda_function.ingest.environment[0].variables.FEDCOST_PREFIX == "team-a"
    error_message = "FEDCOST_PREFIX must carry the trimmed prefix"
  }
  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.writer["prod-1"].policy).Statement : s.Resource
      if s.Effect == "Allow" && contains(s.Action, "s3:PutObject")
    ])) == toset(["arn:aws:s3:::fedcost-test-bucket/team-a/federated/prod-1/*"])
    error_message = "writer confinement must include the prefix"
  }
  assert {
    condition     = yamldecode(output.federated_store_yaml["prod-1"]).prefix == "team-a"
    error_message = "federated-store.yaml must carry the prefix"
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.writer["prod-1"].policy).Statement :
      contains(s.Action, "kms:GenerateDataKey") && try(s.Resource, null) == ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    ])
    error_message = "writers need the bucket's KMS key"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this[0].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "a KMS key switches the bucket to SSE-KMS"
  }
}

run "outputs" {
  assert {
    condition = (
      yamldecode(output.federated_store_yaml["prod-1"]).type == "S3" &&
      yamldecode(output.federated_store_yaml["prod-1"]).config.bucket == "fedcost-test-bucket" &&
      yamldecode(output.federated_store_yaml["prod-1"]).config.endpoint == "s3.eu-west-1.amazonaws.com" &&
      yamldecode(output.federated_store_yaml["prod-1"]).config.aws_sdk_auth == true &&
      !contains(keys(yamldecode(output.federated_store_yaml["prod-1"])), "prefix")
    )
    error_message = "federated-store.yaml per cluster must be an S3 objstore config using the SDK credential chain"
  }
  assert {
    condition     = join(",", keys(output.federated_store_yaml)) == "dev.b,prod-1"
    error_message = "one federated-store.yaml per declared cluster"
  }
  assert {
    condition = (
      yamldecode(output.agent_helm_values["prod-1"]).clusterId == "prod-1" &&
      yamldecode(output.agent_helm_values["prod-1"]).serviceAccount.annotations["eks.amazonaws.com/role-arn"] == aws_iam_role.writer["prod-1"].arn
    )
    error_message = "agent Helm values must carry the cluster id and the IRSA role"
  }
}

run "glue_tables" {
  assert {
    condition     = aws_glue_catalog_table.derived["allocations"].storage_descriptor[0].location == "s3://fedcost-test-bucket/federated/combined/allocations/"
    error_message = "the allocations table must point at federated/combined/allocations/"
  }
  assert {
    condition     = join("/", [for k in aws_glue_catalog_table.derived["assets"].partition_keys : k.name]) == "resolution/date/cluster"
    error_message = "partitions must be resolution, date, cluster (the Hive layout of derived objects)"
  }
  assert {
    condition     = aws_glue_catalog_table.derived["allocations"].parameters["projection.cluster.values"] == "dev.b,prod-1"
    error_message = "partition projection must enumerate the declared clusters"
  }
  assert {
    condition = (
      contains([for c in aws_glue_catalog_table.derived["allocations"].storage_descriptor[0].columns : "${c.name}:${c.type}"], "labels:map<string,string>") &&
      contains([for c in aws_glue_catalog_table.derived["allocations"].storage_descriptor[0].columns : "${c.name}:${c.type}"], "total_cost:double") &&
      contains([for c in aws_glue_catalog_table.derived["allocations"].storage_descriptor[0].columns : "${c.name}:${c.type}"], "idle:boolean") &&
      length(aws_glue_catalog_table.derived["allocations"].storage_descriptor[0].columns) == 40
    )
    error_message = "allocations columns differ from the derived Parquet schema"
  }
}

run "existing_bucket" {
  variables {
    create_bucket = false
  }
  assert {
    condition = (
      length(aws_s3_bucket.this) == 0 &&
      length(aws_s3_bucket_lifecycle_configuration.this) == 0 &&
      length(aws_s3_bucket_policy.this) == 0
    )
    error_message = "an existing bucket's configuration must be left alone by default"
  }
  assert {
    condition     = aws_s3_bucket_notification.uploads[0].bucket == "fedcost-test-bucket"
    error_message = "notifications must be set on the existing bucket"
  }
}

run "stale_cluster_alarm_optional" {
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.stale_cluster) == 0
    error_message = "the stale-cluster alarm is off by default"
  }
}

run "stale_cluster_alarm_on" {
  variables {
    stale_cluster_alarm = { namespace = "ContainerInsights/Prometheus" }
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.stale_cluster[0].namespace == "ContainerInsights/Prometheus" &&
      aws_cloudwatch_metric_alarm.stale_cluster[0].metric_name == "fedcost_cluster_stale" &&
      aws_cloudwatch_metric_alarm.stale_cluster[0].treat_missing_data == "breaching"
    )
    error_message = "the stale-cluster alarm must watch fedcost_cluster_stale and alarm on missing data"
  }
}

run "rejects_reserved_cluster_id" {
  command = plan
  variables {
    clusters = { combined = { principal_arns = ["arn:aws:iam::123456789012:role/x"] } }
  }
  expect_failures = [var.clusters]
}

run "rejects_bad_cluster_id" {
  command = plan
  variables {
    clusters = { "Prod_1" = { principal_arns = ["arn:aws:iam::123456789012:role/x"] } }
  }
  expect_failures = [var.clusters]
}

run "rejects_cluster_without_trust" {
  command = plan
  variables {
    clusters = { "prod-1" = {} }
  }
  expect_failures = [var.clusters]
}

run "rejects_short_daily_retention" {
  command = plan
  variables {
    upload_daily_retention_days = 90
  }
  expect_failures = [var.upload_daily_retention_days]
}

run "rejects_short_derived_daily_retention" {
  command = plan
  variables {
    derived_daily_retention_days = 365
  }
  expect_failures = [var.derived_daily_retention_days]
}

run "rejects_derived_shorter_than_uploads" {
  command = plan
  variables {
    upload_hourly_retention_days  = 120
    derived_hourly_retention_days = 60
  }
  expect_failures = [var.derived_hourly_retention_days]
}
