variable "name" {
  description = "Name prefix of every resource."
  type        = string
}

variable "region" {
  description = "AWS region, for the S3 gateway endpoint's service name."
  type        = string
}

variable "cidr" {
  description = "The VPC's CIDR block (a /16 leaves room for every tier)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "azs" {
  description = "Availability zones, two or more."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs (cheaper; loses egress if its AZ fails)."
  type        = bool
  default     = false
}

variable "private_zone" {
  description = "Name of the private Route 53 zone."
  type        = string
  default     = "classmate.internal"
}
