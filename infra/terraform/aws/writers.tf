# One writer role per cluster: it may write only <root><cluster_id>/ (its uploads and heartbeat),
# read back its own objects, and list only its own prefix. Trust: EKS IRSA (the OIDC provider and
# exactly system:serviceaccount:<namespace>:<service_account>), EKS Pod Identity (restricted to the same
# namespace/service account by session tags), and/or explicit principals.
#
# The optional query reader role may only read <root>combined/ and <root>quarantine/.

locals {
  # Every principal that may assume a role: cluster writers keyed by cluster id, plus the reader.
  principals = merge(
    { for id, c in var.clusters : "writer/${id}" => c },
    var.query_reader == null ? {} : { "reader" = var.query_reader },
  )

  trust_policies = {
    for key, p in local.principals : key => {
      Version = "2012-10-17"
      Statement = concat(
        p.oidc_provider_arn == null ? [] : [{
          Sid       = "EKSServiceAccount"
          Effect    = "Allow"
          Principal = { Federated = p.oidc_provider_arn }
          Action    = "sts:AssumeRoleWithWebIdentity"
          Condition = {
            StringEquals = {
              "${split("oidc-provider/", p.oidc_provider_arn)[1]}:sub" = "system:serviceaccount:${p.namespace}:${p.service_account}"
              "${split("oidc-provider/", p.oidc_provider_arn)[1]}:aud" = "sts.amazonaws.com"
            }
          }
        }],
        p.pod_identity ? [{
          Sid       = "EKSPodIdentity"
          Effect    = "Allow"
          Principal = { Service = "pods.eks.amazonaws.com" }
          Action    = ["sts:AssumeRole", "sts:TagSession"]
          Condition = {
            StringEquals = {
              "aws:RequestTag/kubernetes-namespace"       = p.namespace
              "aws:RequestTag/kubernetes-service-account" = p.service_account
            }
          }
        }] : [],
        length(p.principal_arns) == 0 ? [] : [{
          Sid       = "Principals"
          Effect    = "Allow"
          Principal = { AWS = p.principal_arns }
          Action    = "sts:AssumeRole"
        }],
      )
    }
  }

  kms_statements = var.kms_key_arn == null ? [] : [{
    Sid      = "BucketKey"
    Effect   = "Allow"
    Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
    Resource = [var.kms_key_arn]
  }]

  writer_policies = {
    for id in keys(var.clusters) : id => {
      Version = "2012-10-17"
      Statement = concat(
        [
          {
            Sid      = "WriteOwnPrefix"
            Effect   = "Allow"
            Action   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"]
            Resource = ["${local.bucket_arn}/${local.root}${id}/*"]
          },
          {
            Sid       = "ListOwnPrefix"
            Effect    = "Allow"
            Action    = ["s3:ListBucket"]
            Resource  = [local.bucket_arn]
            Condition = { StringLike = { "s3:prefix" = ["${local.root}${id}/", "${local.root}${id}/*"] } }
          },
          {
            Sid         = "DenyWritesOutsideOwnPrefix"
            Effect      = "Deny"
            Action      = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging", "s3:PutObjectAcl"]
            NotResource = ["${local.bucket_arn}/${local.root}${id}/*"]
          },
        ],
        local.kms_statements,
      )
    }
  }

  reader_policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadDerived"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.bucket_arn}/${local.combined}*", "${local.bucket_arn}/${local.quarantine}*"]
        },
        {
          Sid       = "ListDerived"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = [local.bucket_arn]
          Condition = { StringLike = { "s3:prefix" = [local.combined, "${local.combined}*", local.quarantine, "${local.quarantine}*"] } }
        },
      ],
      local.kms_statements,
    )
  }

  # IAM role names are at most 64 characters; long cluster ids get a hash suffix instead.
  writer_role_names = {
    for id in keys(var.clusters) : id => (
      length("${var.name}-writer-${id}") <= 64 ? "${var.name}-writer-${id}" : "${substr("${var.name}-writer-${id}", 0, 55)}-${substr(sha1(id), 0, 8)}"
    )
  }
}

resource "aws_iam_role" "writer" {
  for_each = var.clusters

  name               = local.writer_role_names[each.key]
  description        = "fedcost agent of cluster ${each.key}: writes only ${local.root}${each.key}/"
  assume_role_policy = jsonencode(local.trust_policies["writer/${each.key}"])
  tags               = merge(var.tags, { "fedcost/cluster-id" = each.key })
}

resource "aws_iam_role_policy" "writer" {
  for_each = var.clusters

  name   = "fedcost-writer"
  role   = aws_iam_role.writer[each.key].id
  policy = jsonencode(local.writer_policies[each.key])
}

resource "aws_iam_role" "reader" {
  count = var.query_reader == null ? 0 : 1

  name               = "${var.name}-query"
  description        = "fedcost query pod: reads only ${local.combined} and ${local.quarantine}"
  assume_role_policy = jsonencode(local.trust_policies["reader"])
  tags               = var.tags
}

resource "aws_iam_role_policy" "reader" {
  count = var.query_reader == null ? 0 : 1

  name   = "fedcost-query"
  role   = aws_iam_role.reader[0].id
  policy = jsonencode(local.reader_policy)
}
