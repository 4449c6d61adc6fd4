# RDS MySQL 8: a primary (Multi-AZ optional) and replica_count read replicas,
# all with the parameter group the invariants and the indexer need:
#
#   - durability of a 201: innodb_flush_log_at_trx_commit=1, sync_binlog=1;
#   - change data capture: row binlog with full images and column metadata
#     (binlog_format ROW, binlog_row_image FULL, binlog_row_metadata FULL);
#   - GTIDs (gtid-mode ON, enforce_gtid_consistency ON), so the indexer's
#     saved position survives a failover.
#
# RDS writes binlogs only when automated backups are on, hence
# backup_retention_period >= 1. The replicas get a weighted CNAME in the
# private zone (mysql-replica.<zone>), which the core uses for catalogue
# reads; without replicas that name points at the primary.

locals {
  family = "mysql${var.engine_version}"
  parameters = {
    binlog_format                  = "ROW"
    binlog_row_image               = "FULL"
    binlog_row_metadata            = "FULL"
    "gtid-mode"                    = "ON"
    enforce_gtid_consistency       = "ON"
    sync_binlog                    = "1"
    innodb_flush_log_at_trx_commit = "1"
    character_set_server           = "utf8mb4"
    collation_server               = "utf8mb4_unicode_ci"
    max_connections                = tostring(var.max_connections)
  }
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-"
  family      = local.family
  description = "classmate: durable commits, row binlog for CDC, GTID"

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name         = parameter.key
      value        = parameter.value
      apply_method = "pending-reboot"
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "primary" {
  identifier                      = "${var.name}-primary"
  engine                          = "mysql"
  engine_version                  = var.engine_version
  instance_class                  = var.instance_class
  allocated_storage               = var.allocated_storage
  max_allocated_storage           = var.max_allocated_storage
  storage_type                    = "gp3"
  storage_encrypted               = true
  db_name                         = var.database
  username                        = var.username
  password                        = var.password
  port                            = 3306
  multi_az                        = var.multi_az
  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [var.security_group_id]
  parameter_group_name            = aws_db_parameter_group.this.name
  publicly_accessible             = false
  backup_retention_period         = var.backup_retention_days
  backup_window                   = "18:00-19:00"
  maintenance_window              = "sun:19:30-sun:20:30"
  auto_minor_version_upgrade      = true
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = !var.deletion_protection
  final_snapshot_identifier       = var.deletion_protection ? "${var.name}-final" : null
  copy_tags_to_snapshot           = true
  performance_insights_enabled    = true
  enabled_cloudwatch_logs_exports = ["error", "slowquery"]
  apply_immediately               = false

  lifecycle {
    precondition {
      condition     = var.backup_retention_days >= 1
      error_message = "RDS writes the binlog (and can have replicas) only with automated backups: backup_retention_days must be at least 1."
    }
  }
}

resource "aws_db_instance" "replica" {
  count                        = var.replica_count
  identifier                   = "${var.name}-replica-${count.index + 1}"
  replicate_source_db          = aws_db_instance.primary.identifier
  instance_class               = coalesce(var.replica_instance_class, var.instance_class)
  storage_type                 = "gp3"
  storage_encrypted            = true
  max_allocated_storage        = var.max_allocated_storage
  vpc_security_group_ids       = [var.security_group_id]
  parameter_group_name         = aws_db_parameter_group.this.name
  publicly_accessible          = false
  multi_az                     = false
  backup_retention_period      = 0
  auto_minor_version_upgrade   = true
  skip_final_snapshot          = true
  performance_insights_enabled = true
  apply_immediately            = true
}

resource "aws_route53_record" "replica" {
  count          = var.replica_count
  zone_id        = var.zone_id
  name           = "mysql-replica.${var.zone_name}"
  type           = "CNAME"
  ttl            = 10
  set_identifier = "replica-${count.index + 1}"
  records        = [aws_db_instance.replica[count.index].address]

  weighted_routing_policy {
    weight = 1
  }
}

resource "aws_route53_record" "replica_is_primary" {
  count   = var.replica_count == 0 ? 1 : 0
  zone_id = var.zone_id
  name    = "mysql-replica.${var.zone_name}"
  type    = "CNAME"
  ttl     = 10
  records = [aws_db_instance.primary.address]
}

resource "aws_route53_record" "primary" {
  zone_id = var.zone_id
  name    = "mysql.${var.zone_name}"
  type    = "CNAME"
  ttl     = 10
  records = [aws_db_instance.primary.address]
}
