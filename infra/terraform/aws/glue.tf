# Glue tables over the derived Parquet (federated/combined/<kind>/resolution=…/date=…/cluster=…/),
# so Athena can query the fleet directly. Column names and types follow the Parquet files the
# ingest function writes; `start`, `end` and `date` must be double-quoted in Athena SQL.

locals {
  allocation_columns = concat(
    [
      ["name", "string"],
      ["window_start", "timestamp"], ["window_end", "timestamp"],
      ["start", "timestamp"], ["end", "timestamp"],
      ["minutes", "double"],
      ["node", "string"], ["namespace", "string"], ["controller_kind", "string"], ["controller", "string"],
      ["pod", "string"], ["container", "string"], ["provider_id", "string"],
      ["services", "string"],
      ["labels", "map<string,string>"], ["annotations", "map<string,string>"],
    ],
    [for c in [
      "cpu_core_hours", "cpu_core_request_average", "cpu_core_usage_average", "cpu_cost", "cpu_cost_adjustment",
      "gpu_hours", "gpu_cost", "gpu_cost_adjustment",
      "ram_byte_hours", "ram_bytes_request_average", "ram_bytes_usage_average", "ram_cost", "ram_cost_adjustment",
      "pv_byte_hours", "pv_cost", "pv_cost_adjustment",
      "network_cost", "network_cost_adjustment", "load_balancer_cost", "load_balancer_cost_adjustment",
      "shared_cost", "external_cost", "total_cost",
    ] : [c, "double"]],
    [["idle", "boolean"]],
  )

  asset_columns = concat(
    [
      ["name", "string"], ["type", "string"],
      ["window_start", "timestamp"], ["window_end", "timestamp"],
      ["start", "timestamp"], ["end", "timestamp"],
      ["category", "string"], ["provider", "string"], ["account", "string"], ["project", "string"],
      ["service", "string"], ["provider_id", "string"], ["node_type", "string"],
      ["labels", "map<string,string>"],
    ],
    [for c in [
      "cpu_core_hours", "ram_byte_hours", "gpu_hours", "cpu_cost", "ram_cost", "gpu_cost",
      "discount", "preemptible", "adjustment", "cost", "total_cost",
    ] : [c, "double"]],
  )

  glue_tables = var.create_glue_tables ? {
    allocations = local.allocation_columns
    assets      = local.asset_columns
  } : {}

  projected_cluster_ids = sort(distinct(concat(keys(var.clusters), var.extra_cluster_ids)))

  projection_parameters = var.glue_partition_projection ? merge(
    {
      "projection.enabled"            = "true"
      "projection.resolution.type"    = "enum"
      "projection.resolution.values"  = "1h,1d"
      "projection.date.type"          = "date"
      "projection.date.format"        = "yyyy-MM-dd"
      "projection.date.range"         = "${var.glue_projection_start_date},NOW"
      "projection.date.interval"      = "1"
      "projection.date.interval.unit" = "DAYS"
    },
    length(local.projected_cluster_ids) > 0 ? {
      "projection.cluster.type"   = "enum"
      "projection.cluster.values" = join(",", local.projected_cluster_ids)
      } : {
      "projection.cluster.type" = "injected"
    },
  ) : {}
}

resource "aws_glue_catalog_database" "this" {
  count       = var.create_glue_tables ? 1 : 0
  name        = replace("${var.name}_federated", "-", "_")
  description = "fedcost derived cost data in s3://${var.bucket_name}/${local.combined}"
  tags        = var.tags
}

resource "aws_glue_catalog_table" "derived" {
  for_each = local.glue_tables

  name          = each.key
  database_name = aws_glue_catalog_database.this[0].name
  description   = "fedcost ${each.key} per cluster and window (Hive-partitioned Parquet)"
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(
    {
      EXTERNAL       = "TRUE"
      classification = "parquet"
    },
    local.projection_parameters,
  )

  partition_keys {
    name = "resolution"
    type = "string"
  }
  partition_keys {
    name = "date"
    type = "string"
  }
  partition_keys {
    name = "cluster"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${var.bucket_name}/${local.combined}${each.key}/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = each.value
      content {
        name = columns.value[0]
        type = columns.value[1]
      }
    }
  }
}
