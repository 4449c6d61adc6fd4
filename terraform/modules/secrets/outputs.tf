output "names" {
  description = "Parameter names by secret: admin-token, session-keys, admission-keys, mysql-password, redis-auth."
  value       = { for k, p in aws_ssm_parameter.generated : k => p.name }
}

output "arns" {
  description = "Parameter ARNs by secret, for IAM policies."
  value       = { for k, p in aws_ssm_parameter.generated : k => p.arn }
}

output "mysql_password" {
  description = "The RDS master password as stored (for the database module)."
  value       = aws_ssm_parameter.generated["mysql-password"].value
  sensitive   = true
}

output "redis_auth_token" {
  description = "The ElastiCache AUTH token as stored."
  value       = aws_ssm_parameter.generated["redis-auth"].value
  sensitive   = true
}
