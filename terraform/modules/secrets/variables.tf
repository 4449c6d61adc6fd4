variable "prefix" {
  description = "Parameter path prefix, without slashes (e.g. classmate/prod)."
  type        = string
}
