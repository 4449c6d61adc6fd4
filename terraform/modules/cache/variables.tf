variable "name" {
  description = "Name prefix (the replication group id: at most 40 characters)."
  type        = string
}

variable "subnet_ids" {
  description = "Data-tier subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of Redis."
  type        = string
}

variable "engine_version" {
  description = "Redis engine version."
  type        = string
  default     = "7.1"
}

variable "node_type" {
  description = "Node type."
  type        = string
  default     = "cache.r7g.large"
}

variable "cluster_mode" {
  description = "Cluster mode (sharded). The services' Redis clients must be cluster-aware for this."
  type        = bool
  default     = false
}

variable "shards" {
  description = "Number of shards in cluster mode."
  type        = number
  default     = 2
}

variable "replicas_per_shard" {
  description = "Replicas per shard (at least 1 for automatic failover)."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas_per_shard >= 1 && var.replicas_per_shard <= 5
    error_message = "replicas_per_shard must be 1–5: automatic failover needs a replica."
  }
}

variable "transit_encryption" {
  description = "TLS and AUTH between the services and Redis. Needs TLS support in the services' Redis clients."
  type        = bool
  default     = false
}

variable "auth_token" {
  description = "AUTH token, used when transit_encryption is on."
  type        = string
  sensitive   = true
}
