# ElastiCache Redis: a replication group with automatic failover across the
# AZs, optionally in cluster mode (every key of one room or one course shares
# a hash tag, so the Lua scripts run unchanged on a cluster; the services
# then need a cluster-aware client). maxmemory-policy is noeviction: seat
# counters and queue places must fail loudly rather than disappear.

locals {
  family = "redis7"
  parameters = merge(
    { "maxmemory-policy" = "noeviction" },
    var.cluster_mode ? { "cluster-enabled" = "yes" } : {},
  )
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-${var.cluster_mode ? "cluster" : "single"}"
  family      = local.family
  description = "classmate: noeviction${var.cluster_mode ? ", cluster mode" : ""}"

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "classmate queue, seat counters and admission state"
  engine                     = "redis"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  port                       = 6379
  parameter_group_name       = aws_elasticache_parameter_group.this.name
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [var.security_group_id]
  automatic_failover_enabled = true
  multi_az_enabled           = true
  cluster_mode               = var.cluster_mode ? "enabled" : "disabled"
  num_node_groups            = var.cluster_mode ? var.shards : 1
  replicas_per_node_group    = var.replicas_per_shard
  at_rest_encryption_enabled = true
  transit_encryption_enabled = var.transit_encryption
  auth_token                 = var.transit_encryption ? var.auth_token : null
  apply_immediately          = false
  snapshot_retention_limit   = 0
  maintenance_window         = "sun:20:00-sun:21:00"
}
