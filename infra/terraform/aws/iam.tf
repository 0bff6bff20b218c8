# IAM of the ingest function: read everything under <root>, write only <root>combined/ and
# <root>quarantine/. The explicit Deny keeps that true even if someone attaches a broader policy.

resource "aws_iam_role" "ingest" {
  name = "${var.name}-ingest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
  tags = var.tags
}

locals {
  ingest_output_arns = ["${local.bucket_arn}/${local.combined}*", "${local.bucket_arn}/${local.quarantine}*"]

  ingest_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadUploadsAndDerived"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.bucket_arn}/${local.root}*"]
        },
        {
          Sid       = "ListFederated"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.bucket_arn]
          Condition = { StringLike = { "s3:prefix" = [local.root, "${local.root}*"] } }
        },
        {
          Sid      = "WriteDerivedAndQuarantine"
          Effect   = "Allow"
          Action   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
          Resource = local.ingest_output_arns
        },
        {
          Sid         = "DenyWritesOutsideOutputs"
          Effect      = "Deny"
          Action      = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging", "s3:PutObjectAcl"]
          NotResource = local.ingest_output_arns
        },
        {
          Sid      = "ConsumeEvents"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          Resource = [aws_sqs_queue.events.arn]
        },
        {
          Sid      = "Logs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${aws_cloudwatch_log_group.ingest.arn}:*"]
        },
      ],
      var.kms_key_arn == null ? [] : [{
        Sid      = "BucketKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [var.kms_key_arn]
      }],
    )
  }
}

resource "aws_iam_role_policy" "ingest" {
  name   = "fedcost-ingest"
  role   = aws_iam_role.ingest.id
  policy = jsonencode(local.ingest_policy)
}
