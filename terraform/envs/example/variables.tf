variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "azs" {
  description = "Two (or more) availability zones of the region."
  type        = list(string)
  default     = ["ap-northeast-2a", "ap-northeast-2c"]
}

variable "name" {
  description = "Project name, the first part of every resource name (short: ALB names are limited)."
  type        = string
  default     = "cm"
}

variable "environment" {
  description = "Environment name (prod, staging, …)."
  type        = string
  default     = "prod"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per AZ (cheaper, less available)."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate (in the region) for the site's host name."
  type        = string
}

variable "admin_cidrs" {
  description = "Client CIDRs allowed to call /admin/* through the public ALB; empty: only through SSM port forwarding."
  type        = list(string)
  default     = []
}

variable "monitoring_cidrs" {
  description = "CIDRs of a Prometheus allowed to scrape /metrics of the instances."
  type        = list(string)
  default     = []
}

variable "alb_idle_timeout" {
  description = "Idle timeout of the public ALB in seconds (the queue's WebSockets)."
  type        = number
  default     = 3600
}

variable "release_bucket" {
  description = "S3 bucket of the release tarballs."
  type        = string
}

variable "release_version" {
  description = "Release to run on every tier; change it to roll the Auto Scaling Groups."
  type        = string
}

variable "arch" {
  description = "arm64 (Graviton) or amd64; instance types must match."
  type        = string
  default     = "arm64"
}

variable "log_level" {
  description = "CLASSMATE_LOG_LEVEL of the services."
  type        = string
  default     = "info"
}

variable "gate_instance_type" {
  description = "Gate instance type."
  type        = string
  default     = "c7g.large"
}

variable "gate_min" {
  description = "Minimum gate instances (raise it before the opening: scaling out takes minutes)."
  type        = number
  default     = 2
}

variable "gate_max" {
  description = "Maximum gate instances."
  type        = number
  default     = 10
}

variable "gate_requests_per_target" {
  description = "Target of ALB requests per gate instance per minute."
  type        = number
  default     = 60000
}

variable "gate_extra_env" {
  description = "Further CLASSMATE_GATE_* settings (rates, tick, AIMD thresholds)."
  type        = map(string)
  default     = {}
}

variable "core_instance_type" {
  description = "Core instance type."
  type        = string
  default     = "c7g.xlarge"
}

variable "core_min" {
  description = "Minimum core instances."
  type        = number
  default     = 2
}

variable "core_max" {
  description = "Maximum core instances."
  type        = number
  default     = 8
}

variable "core_cpu_target" {
  description = "Average CPU the core group tracks."
  type        = number
  default     = 50
}

variable "core_mysql_max_conns" {
  description = "CLASSMATE_MYSQL_MAX_CONNS per core instance (per DSN)."
  type        = number
  default     = 64
}

variable "core_extra_env" {
  description = "Further CLASSMATE_* settings of the core."
  type        = map(string)
  default     = {}
}

variable "indexer_instance_type" {
  description = "Indexer instance type."
  type        = string
  default     = "t4g.medium"
}

variable "db_engine_version" {
  description = "MySQL version (8.0 or 8.4)."
  type        = string
  default     = "8.4"
}

variable "db_instance_class" {
  description = "RDS primary instance class."
  type        = string
  default     = "db.r7g.large"
}

variable "db_replica_instance_class" {
  description = "RDS replica instance class (empty: the primary's)."
  type        = string
  default     = ""
}

variable "db_replica_count" {
  description = "Number of RDS read replicas."
  type        = number
  default     = 1
}

variable "db_multi_az" {
  description = "Multi-AZ standby for the primary."
  type        = bool
  default     = true
}

variable "db_username" {
  description = "RDS master user (the services connect as it)."
  type        = string
  default     = "classmate"
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.r7g.large"
}

variable "redis_cluster_mode" {
  description = "ElastiCache cluster mode (needs cluster-aware clients in the services)."
  type        = bool
  default     = false
}

variable "redis_shards" {
  description = "Shards in cluster mode."
  type        = number
  default     = 2
}

variable "redis_replicas_per_shard" {
  description = "Replicas per shard."
  type        = number
  default     = 1
}

variable "redis_transit_encryption" {
  description = "TLS + AUTH to Redis (needs TLS support in the services' Redis clients)."
  type        = bool
  default     = false
}

variable "es_node_count" {
  description = "Elasticsearch nodes (1, or odd ≥ 3)."
  type        = number
  default     = 3

  validation {
    condition     = var.es_node_count == 1 || (var.es_node_count >= 3 && var.es_node_count % 2 == 1)
    error_message = "es_node_count must be 1 or an odd number of at least 3 (master quorum)."
  }
}

variable "es_instance_type" {
  description = "Elasticsearch instance type."
  type        = string
  default     = "r7g.large"
}

variable "es_volume_size" {
  description = "Elasticsearch data volume per node, GiB."
  type        = number
  default     = 50
}

variable "alarm_emails" {
  description = "E-mail addresses for CloudWatch alarms."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Protect the ALBs and the database from deletion (turn off before destroy)."
  type        = bool
  default     = true
}
