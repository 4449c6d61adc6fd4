variable "name" {
  description = "Name prefix."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "gate_port" {
  description = "Port the gate listens on."
  type        = number
}

variable "core_port" {
  description = "Port the core listens on."
  type        = number
}

variable "indexer_port" {
  description = "Port of the indexer's /healthz and /metrics."
  type        = number
}

variable "public_ingress_cidrs" {
  description = "Who may reach the public ALB."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "monitoring_cidrs" {
  description = "CIDRs of a Prometheus allowed to scrape the services' /metrics (empty: none)."
  type        = list(string)
  default     = []
}
