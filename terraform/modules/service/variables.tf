variable "name" {
  description = "Name prefix."
  type        = string
}

variable "service" {
  description = "Which binary of the release this tier runs."
  type        = string

  validation {
    condition     = contains(["gate", "core", "indexer"], var.service)
    error_message = "service must be gate, core or indexer."
  }
}

variable "release_bucket" {
  description = "S3 bucket holding the releases."
  type        = string
}

variable "release_prefix" {
  description = "Key prefix of the releases: <prefix>/<version>/classmate-<version>-linux-<arch>.tar.gz."
  type        = string
  default     = "classmate"
}

variable "release_version" {
  description = "The release to run; changing it rolls the group (instance refresh)."
  type        = string
}

variable "arch" {
  description = "CPU architecture of the instances and the release: arm64 or amd64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "amd64"], var.arch)
    error_message = "arch must be arm64 or amd64."
  }
}

variable "ami_id" {
  description = "AMI to use (empty: the latest Amazon Linux 2023 for arch)."
  type        = string
  default     = ""
}

variable "instance_type" {
  description = "Instance type."
  type        = string
}

variable "volume_size" {
  description = "Root volume size in GiB."
  type        = number
  default     = 20
}

variable "subnet_ids" {
  description = "Private subnets the group spreads over."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the instances."
  type        = string
}

variable "target_group_arns" {
  description = "Target groups the instances register with (empty: none, EC2 health checks)."
  type        = list(string)
  default     = []
}

variable "min_size" {
  description = "Minimum instances."
  type        = number
}

variable "max_size" {
  description = "Maximum instances."
  type        = number
}

variable "desired_capacity" {
  description = "Initial instances (later owned by the scaling policy)."
  type        = number
}

variable "refresh_min_healthy_percentage" {
  description = "Share of the group that stays in service during an instance refresh."
  type        = number
  default     = 90
}

variable "env" {
  description = "CLASSMATE_* environment; {{secret}} placeholders are replaced with secret values at boot."
  type        = map(string)
}

variable "secret_names" {
  description = "Secrets to read at boot: placeholder name => SSM parameter name."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "ARNs of the same parameters (placeholder name => ARN), for the instance policy."
  type        = map(string)
  default     = {}
}

variable "extra_policy_statements" {
  description = "Further IAM statements for the instance role."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []
}

variable "scaling" {
  description = "Target tracking: metric (ALBRequestCountPerTarget, ASGAverageCPUUtilization, …), target value and, for ALB metrics, resource_label. null: no policy."
  type = object({
    metric         = string
    target         = number
    resource_label = optional(string)
  })
  default = null
}
