output "primary_address" {
  description = "Host name of the primary."
  value       = aws_db_instance.primary.address
}

output "primary_identifier" {
  description = "Identifier of the primary."
  value       = aws_db_instance.primary.identifier
}

output "primary_host" {
  description = "Private-zone name of the primary."
  value       = aws_route53_record.primary.fqdn
}

output "replica_host" {
  description = "Private-zone name spreading reads over the replicas (the primary when there are none)."
  value       = "mysql-replica.${var.zone_name}"
}

output "replica_identifiers" {
  description = "Identifiers of the read replicas."
  value       = aws_db_instance.replica[*].identifier
}

output "replica_sources" {
  description = "Source of each replica (the primary), for tests."
  value       = aws_db_instance.replica[*].replicate_source_db
}

output "parameters" {
  description = "Parameters of the parameter group."
  value       = local.parameters
}

output "parameter_group_family" {
  description = "Family of the parameter group."
  value       = aws_db_parameter_group.this.family
}
