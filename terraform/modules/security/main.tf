# Security groups, least privilege: each tier accepts traffic only from the
# tier that needs it, on the one port it serves. The matrix (source → dest):
#
#   internet  → public ALB   443, 80 (80 only redirects)
#   public ALB → gate        gate_port
#   gate      → core ALB     80            (the core is not reachable from the internet)
#   core ALB  → core         core_port
#   gate      → Redis        6379
#   core      → Redis        6379
#   core      → MySQL        3306
#   indexer   → MySQL        3306          (binlog)
#   core      → Elasticsearch 9200         (search reads)
#   indexer   → Elasticsearch 9200         (writes)
#   ES        ↔ ES           9300          (transport)
#   gate, core, indexer, ES → 0.0.0.0/0 443 (SSM, S3 and package mirrors through NAT)
#   monitoring_cidrs → gate, core, indexer metrics ports (optional Prometheus)
#
# Rules are separate resources (aws_vpc_security_group_*_rule) so that each
# line above is one reviewable resource.

locals {
  groups = {
    alb      = "public ALB: HTTPS from the internet"
    gate     = "gate instances"
    core_alb = "internal ALB of the core: only the gate"
    core     = "core instances"
    indexer  = "indexer instances"
    mysql    = "RDS MySQL"
    redis    = "ElastiCache Redis"
    es       = "Elasticsearch nodes"
  }

  # [name, from group, to group, port]
  internal = [
    ["alb-to-gate", "alb", "gate", var.gate_port],
    ["gate-to-core-alb", "gate", "core_alb", 80],
    ["core-alb-to-core", "core_alb", "core", var.core_port],
    ["gate-to-redis", "gate", "redis", 6379],
    ["core-to-redis", "core", "redis", 6379],
    ["core-to-mysql", "core", "mysql", 3306],
    ["indexer-to-mysql", "indexer", "mysql", 3306],
    ["core-to-es", "core", "es", 9200],
    ["indexer-to-es", "indexer", "es", 9200],
    ["es-to-es", "es", "es", 9300],
  ]
  internal_rules = { for r in local.internal : r[0] => { from = r[1], to = r[2], port = r[3] } }

  egress_https = toset(["gate", "core", "indexer", "es"])

  metrics_ports = { gate = var.gate_port, core = var.core_port, indexer = var.indexer_port }
  metrics_rules = merge([
    for group, port in local.metrics_ports : {
      for cidr in var.monitoring_cidrs : "${group}-${cidr}" => { group = group, port = port, cidr = cidr }
    }
  ]...)
}

resource "aws_security_group" "this" {
  for_each    = local.groups
  name        = "${var.name}-${replace(each.key, "_", "-")}"
  description = each.value
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-${replace(each.key, "_", "-")}" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(var.public_ingress_cidrs)
  security_group_id = aws_security_group.this["alb"].id
  description       = "HTTPS from the internet"
  cidr_ipv4         = each.value
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each          = toset(var.public_ingress_cidrs)
  security_group_id = aws_security_group.this["alb"].id
  description       = "HTTP from the internet, redirected to HTTPS"
  cidr_ipv4         = each.value
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}

# Each internal flow is an egress rule on the source and an ingress rule on
# the destination, both naming the other group (never a CIDR).
resource "aws_vpc_security_group_ingress_rule" "internal" {
  for_each                     = local.internal_rules
  security_group_id            = aws_security_group.this[each.value.to].id
  referenced_security_group_id = aws_security_group.this[each.value.from].id
  description                  = each.key
  from_port                    = each.value.port
  to_port                      = each.value.port
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "internal" {
  for_each                     = local.internal_rules
  security_group_id            = aws_security_group.this[each.value.from].id
  referenced_security_group_id = aws_security_group.this[each.value.to].id
  description                  = each.key
  from_port                    = each.value.port
  to_port                      = each.value.port
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each          = local.egress_https
  security_group_id = aws_security_group.this[each.value].id
  description       = "HTTPS to AWS APIs (SSM, S3) and package mirrors"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "metrics" {
  for_each          = local.metrics_rules
  security_group_id = aws_security_group.this[each.value.group].id
  description       = "Prometheus scrape of /metrics"
  cidr_ipv4         = each.value.cidr
  from_port         = each.value.port
  to_port           = each.value.port
  ip_protocol       = "tcp"
}
