output "site_dns_name" {
  description = "Public ALB: create the site's CNAME (or Route 53 alias) to it."
  value       = module.alb.public_dns_name
}

output "site_zone_id" {
  description = "Hosted zone id of the public ALB, for a Route 53 alias record."
  value       = module.alb.public_zone_id
}

output "core_internal_url" {
  description = "The core's internal ALB (reachable only from the gate's security group)."
  value       = module.alb.core_url
}

output "asg_names" {
  description = "Auto Scaling Groups, for `aws autoscaling start-instance-refresh` and describe-instance-refreshes."
  value = {
    gate    = module.gate.asg_name
    core    = module.core.asg_name
    indexer = module.indexer.asg_name
  }
}

output "mysql_primary" {
  description = "RDS primary endpoint (host name)."
  value       = module.database.primary_address
}

output "mysql_replicas" {
  description = "RDS read replica identifiers."
  value       = module.database.replica_identifiers
}

output "redis_address" {
  description = "Redis host:port."
  value       = module.cache.address
}

output "elasticsearch_url" {
  description = "Elasticsearch URL inside the VPC."
  value       = module.search.url
}

output "secret_parameters" {
  description = "SSM parameter names of the secrets (values: aws ssm get-parameter --with-decryption)."
  value       = module.secrets.names
}

output "alarm_topic_arn" {
  description = "SNS topic of the CloudWatch alarms."
  value       = module.monitoring.topic_arn
}

output "nat_public_ips" {
  description = "Egress addresses of the instances."
  value       = module.network.nat_public_ips
}

# What the plan-level tests check (and a reviewer may want to see).
output "checks" {
  description = "Facts the tests assert: routing, exposure, scaling, replicas."
  value = {
    gate_rule_target_groups = module.alb.gate_rule_target_groups
    gate_target_group_arn   = module.alb.gate_target_group_arn
    core_target_group_arn   = module.alb.core_target_group_arn
    public_alb_internal     = module.alb.public_internal
    core_alb_internal       = module.alb.core_internal
    gate_asg_target_groups  = module.gate.asg_target_group_arns
    core_asg_target_groups  = module.core.asg_target_group_arns
    indexer_max_size        = module.indexer.max_size
    gate_scaling_metric     = module.gate.scaling_metric
    core_scaling_metric     = module.core.scaling_metric
    core_subnets            = module.core.asg_subnet_ids
    app_subnets             = module.network.app_subnet_ids
    public_subnets          = module.network.public_subnet_ids
    core_public_ip          = module.core.public_ip
    replica_sources         = module.database.replica_sources
    primary_identifier      = module.database.primary_identifier
    db_parameters           = module.database.parameters
    internal_rules          = module.security.internal_rules
    core_user_data          = module.core.user_data
    gate_user_data          = module.gate.user_data
  }
}
