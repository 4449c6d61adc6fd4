output "public_dns_name" {
  description = "DNS name of the public ALB: point the site's CNAME or alias here."
  value       = aws_lb.public.dns_name
}

output "public_zone_id" {
  description = "Hosted zone of the public ALB, for a Route 53 alias."
  value       = aws_lb.public.zone_id
}

output "public_arn_suffix" {
  description = "ARN suffix of the public ALB (CloudWatch dimension)."
  value       = aws_lb.public.arn_suffix
}

output "core_dns_name" {
  description = "DNS name of the internal ALB of the core."
  value       = aws_lb.core.dns_name
}

output "core_url" {
  description = "Base URL of the core for the gate."
  value       = "http://${aws_lb.core.dns_name}"
}

output "core_arn_suffix" {
  description = "ARN suffix of the internal ALB (CloudWatch dimension)."
  value       = aws_lb.core.arn_suffix
}

output "gate_target_group_arn" {
  description = "Target group of the gate."
  value       = aws_lb_target_group.gate.arn
}

output "gate_target_group_arn_suffix" {
  description = "ARN suffix of the gate's target group."
  value       = aws_lb_target_group.gate.arn_suffix
}

output "core_target_group_arn" {
  description = "Target group of the core."
  value       = aws_lb_target_group.core.arn
}

output "core_target_group_arn_suffix" {
  description = "ARN suffix of the core's target group."
  value       = aws_lb_target_group.core.arn_suffix
}

output "https_listener_arn" {
  description = "The public HTTPS listener."
  value       = aws_lb_listener.https.arn
}

output "gate_rule_target_groups" {
  description = "Target group of each path rule of the public listener (for tests)."
  value       = { for k, r in aws_lb_listener_rule.gate : k => r.action[0].target_group_arn }
}

output "public_internal" {
  description = "Whether the public ALB is internal (false)."
  value       = aws_lb.public.internal
}

output "core_internal" {
  description = "Whether the core's ALB is internal (true)."
  value       = aws_lb.core.internal
}
