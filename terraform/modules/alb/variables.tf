variable "name" {
  description = "Name prefix (at most 20 characters: ALB and target group names are limited to 32)."
  type        = string

  validation {
    condition     = length(var.name) <= 20
    error_message = "The name prefix must be at most 20 characters."
  }
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the public ALB."
  type        = list(string)
}

variable "app_subnet_ids" {
  description = "Private subnets of the internal ALB."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the public ALB."
  type        = string
}

variable "core_alb_security_group_id" {
  description = "Security group of the internal ALB."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "idle_timeout" {
  description = "Seconds a connection may stay idle; long, for the queue's WebSockets."
  type        = number
  default     = 3600
}

variable "gate_port" {
  description = "Port of the gate."
  type        = number
}

variable "core_port" {
  description = "Port of the core."
  type        = number
}

variable "admin_cidrs" {
  description = "Client CIDRs allowed to reach /admin/* through the public ALB (empty: nobody; use SSM port forwarding)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.admin_cidrs) <= 4
    error_message = "At most 4 admin CIDRs: an ALB rule holds 5 condition values, and the path takes one."
  }
}

variable "gate_paths" {
  description = "Listener rules that route to the gate: name => priority and path patterns."
  type = map(object({
    priority = number
    patterns = list(string)
  }))
  default = {
    queue = { priority = 10, patterns = ["/queue/*"] }
    api   = { priority = 20, patterns = ["/api/*"] }
    pages = { priority = 30, patterns = ["/", "/static/*", "/enroll*", "/healthz", "/readyz"] }
  }
}

variable "deletion_protection" {
  description = "Protect the load balancers from deletion."
  type        = bool
  default     = false
}
