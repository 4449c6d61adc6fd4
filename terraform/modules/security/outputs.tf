output "ids" {
  description = "Security group ids by tier: alb, gate, core_alb, core, indexer, mysql, redis, es."
  value       = { for k, sg in aws_security_group.this : k => sg.id }
}

output "internal_rules" {
  description = "The internal flows (name => from, to, port), for review and tests."
  value       = local.internal_rules
}
