variable "name" {
  description = "Name prefix."
  type        = string
}

variable "subnet_ids" {
  description = "Data-tier subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the database."
  type        = string
}

variable "engine_version" {
  description = "MySQL major.minor version (the parameter group family is mysql<version>)."
  type        = string
  default     = "8.4"

  validation {
    condition     = can(regex("^8\\.[04]$", var.engine_version))
    error_message = "Use MySQL 8.0 or 8.4."
  }
}

variable "instance_class" {
  description = "Instance class of the primary."
  type        = string
  default     = "db.r7g.large"
}

variable "replica_instance_class" {
  description = "Instance class of the replicas (empty: the primary's)."
  type        = string
  default     = ""
}

variable "replica_count" {
  description = "Number of read replicas (0–5)."
  type        = number
  default     = 1

  validation {
    condition     = var.replica_count >= 0 && var.replica_count <= 5 && floor(var.replica_count) == var.replica_count
    error_message = "replica_count must be a whole number from 0 to 5."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 100
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 500
}

variable "multi_az" {
  description = "Synchronous standby of the primary in another AZ."
  type        = bool
  default     = true
}

variable "database" {
  description = "Database name."
  type        = string
  default     = "classmate"
}

variable "username" {
  description = "Master user name."
  type        = string
  default     = "classmate"
}

variable "password" {
  description = "Master password (from the secrets module)."
  type        = string
  sensitive   = true
}

variable "max_connections" {
  description = "max_connections of the parameter group: cover (core instances × 2 pools × CLASSMATE_MYSQL_MAX_CONNS) + indexer + headroom."
  type        = number
  default     = 2000
}

variable "backup_retention_days" {
  description = "Automated backup retention; at least 1 (binlog and replicas need it)."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Protect the primary from deletion and take a final snapshot."
  type        = bool
  default     = true
}

variable "zone_id" {
  description = "Private zone for mysql and mysql-replica names."
  type        = string
}

variable "zone_name" {
  description = "Name of the private zone."
  type        = string
}
