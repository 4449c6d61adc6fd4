# CloudWatch alarms on what AWS measures itself (the services' own metrics
# are Prometheus metrics; see infra/prometheus/alerts.yml). Every alarm
# notifies one SNS topic; alarm_emails subscribe to it.

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  alb_alarms = {
    # name => [namespace metric, dimensions, statistic, threshold, comparison, description]
    "public-5xx" = {
      metric      = "HTTPCode_Target_5XX_Count", lb = var.public_alb_arn_suffix, tg = null, stat = "Sum", threshold = var.max_5xx_per_minute,
      description = "The gate answered more than ${var.max_5xx_per_minute} 5xx in a minute"
    }
    "public-elb-5xx" = {
      metric      = "HTTPCode_ELB_5XX_Count", lb = var.public_alb_arn_suffix, tg = null, stat = "Sum", threshold = var.max_5xx_per_minute,
      description = "The public ALB itself answered 5xx (no healthy gate, or gates refusing connections)"
    }
    "core-5xx" = {
      metric      = "HTTPCode_Target_5XX_Count", lb = var.core_alb_arn_suffix, tg = null, stat = "Sum", threshold = var.max_5xx_per_minute,
      description = "The core answered more than ${var.max_5xx_per_minute} 5xx in a minute"
    }
    "gate-unhealthy" = {
      metric      = "UnHealthyHostCount", lb = var.public_alb_arn_suffix, tg = var.gate_target_group_arn_suffix, stat = "Maximum", threshold = 0,
      description = "A gate instance fails /readyz"
    }
    "core-unhealthy" = {
      metric      = "UnHealthyHostCount", lb = var.core_alb_arn_suffix, tg = var.core_target_group_arn_suffix, stat = "Maximum", threshold = 0,
      description = "A core instance fails /readyz (MySQL or Redis unreachable from it)"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "alb" {
  for_each            = local.alb_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/ApplicationELB"
  metric_name         = each.value.metric
  statistic           = each.value.stat
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = merge(
    { LoadBalancer = each.value.lb },
    each.value.tg == null ? {} : { TargetGroup = each.value.tg },
  )
  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "core_latency" {
  alarm_name          = "${var.name}-core-p99"
  alarm_description   = "p99 of the core behind its ALB above ${var.core_p99_seconds}s"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.core_p99_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions          = { LoadBalancer = var.core_alb_arn_suffix }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-mysql-primary-cpu"
  alarm_description   = "MySQL primary CPU above 80%"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  dimensions          = { DBInstanceIdentifier = var.db_primary_identifier }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "rds_storage" {
  alarm_name          = "${var.name}-mysql-primary-storage"
  alarm_description   = "MySQL primary has less than 10 GiB free"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 10737418240
  comparison_operator = "LessThanThreshold"
  dimensions          = { DBInstanceIdentifier = var.db_primary_identifier }
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "replica_lag" {
  for_each            = toset(var.db_replica_identifiers)
  alarm_name          = "${var.name}-${each.value}-lag"
  alarm_description   = "Read replica ${each.value} more than ${var.max_replica_lag_seconds}s behind: catalogue reads are stale"
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.max_replica_lag_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  dimensions          = { DBInstanceIdentifier = each.value }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "redis_cpu" {
  for_each            = toset(var.redis_node_ids)
  alarm_name          = "${var.name}-redis-${each.value}-cpu"
  alarm_description   = "Redis engine CPU above 70% on ${each.value} (Redis is single-threaded)"
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  threshold           = 70
  comparison_operator = "GreaterThanThreshold"
  dimensions          = { CacheClusterId = each.value }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each            = toset(var.redis_node_ids)
  alarm_name          = "${var.name}-redis-${each.value}-memory"
  alarm_description   = "Redis memory above 80% on ${each.value}: with noeviction, writes fail when it is full"
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  dimensions          = { CacheClusterId = each.value }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# A node that fails the system status check is recovered in place (same
# address, same volumes).
resource "aws_cloudwatch_metric_alarm" "es_recover" {
  count               = var.es_node_count
  alarm_name          = "${var.name}-es-${count.index}-recover"
  alarm_description   = "Elasticsearch node ${count.index} failed its system status check: recovering it"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed_System"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  dimensions          = { InstanceId = var.es_instance_ids[count.index] }
  alarm_actions       = ["arn:${var.partition}:automate:${var.region}:ec2:recover", aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "asg_capacity" {
  for_each            = var.asg_names
  alarm_name          = "${var.name}-${each.key}-capacity"
  alarm_description   = "Fewer ${each.key} instances in service than the group's minimum"
  namespace           = "AWS/AutoScaling"
  metric_name         = "GroupInServiceInstances"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  threshold           = each.value.min
  comparison_operator = "LessThanThreshold"
  dimensions          = { AutoScalingGroupName = each.value.name }
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
