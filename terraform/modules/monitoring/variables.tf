variable "name" {
  description = "Name prefix."
  type        = string
}

variable "region" {
  description = "Region (for the EC2 recover action)."
  type        = string
}

variable "partition" {
  description = "AWS partition (for the EC2 recover action)."
  type        = string
  default     = "aws"
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "public_alb_arn_suffix" {
  description = "ARN suffix of the public ALB."
  type        = string
}

variable "core_alb_arn_suffix" {
  description = "ARN suffix of the internal ALB."
  type        = string
}

variable "gate_target_group_arn_suffix" {
  description = "ARN suffix of the gate's target group."
  type        = string
}

variable "core_target_group_arn_suffix" {
  description = "ARN suffix of the core's target group."
  type        = string
}

variable "db_primary_identifier" {
  description = "RDS primary."
  type        = string
}

variable "db_replica_identifiers" {
  description = "RDS read replicas."
  type        = list(string)
}

variable "redis_node_ids" {
  description = "ElastiCache node ids (known at plan time)."
  type        = list(string)
}

variable "es_node_count" {
  description = "Number of Elasticsearch nodes."
  type        = number
}

variable "es_instance_ids" {
  description = "Elasticsearch nodes."
  type        = list(string)
}

variable "asg_names" {
  description = "Auto Scaling Groups by service, with their minimum size."
  type        = map(object({ name = string, min = number }))
}

variable "max_5xx_per_minute" {
  description = "5xx answers per minute that raise an alarm."
  type        = number
  default     = 50
}

variable "core_p99_seconds" {
  description = "p99 of the core (seconds) that raises an alarm."
  type        = number
  default     = 1
}

variable "max_replica_lag_seconds" {
  description = "Replica lag (seconds) that raises an alarm."
  type        = number
  default     = 10
}
