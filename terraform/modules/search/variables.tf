variable "name" {
  description = "Name prefix; also the cluster name and the discovery tag."
  type        = string
}

variable "node_count" {
  description = "Number of nodes: 1 (no redundancy) or an odd number from 3."
  type        = number
  default     = 3

  validation {
    condition     = var.node_count == 1 || (var.node_count >= 3 && var.node_count % 2 == 1)
    error_message = "node_count must be 1 or an odd number of at least 3 (master quorum)."
  }
}

variable "es_version" {
  description = "Elasticsearch 8 version from Elastic's package repository."
  type        = string
  default     = "8.19.7"
}

variable "instance_type" {
  description = "Instance type of a node."
  type        = string
  default     = "r7g.large"
}

variable "arch" {
  description = "arm64 or amd64 (must match instance_type)."
  type        = string
  default     = "arm64"
}

variable "data_volume_size" {
  description = "Data volume size per node in GiB."
  type        = number
  default     = 50
}

variable "subnet_ids" {
  description = "App subnets the nodes spread over."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the nodes."
  type        = string
}

variable "zone_id" {
  description = "Private zone for the es name."
  type        = string
}

variable "zone_name" {
  description = "Name of the private zone."
  type        = string
}
