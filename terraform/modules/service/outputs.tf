output "asg_name" {
  description = "Name of the Auto Scaling Group (for `aws autoscaling start-instance-refresh`)."
  value       = aws_autoscaling_group.this.name
}

output "asg_target_group_arns" {
  description = "Target groups the group registers with."
  value       = aws_autoscaling_group.this.target_group_arns
}

output "asg_subnet_ids" {
  description = "Subnets the group spreads over."
  value       = aws_autoscaling_group.this.vpc_zone_identifier
}

output "max_size" {
  description = "Maximum size of the group."
  value       = aws_autoscaling_group.this.max_size
}

output "scaling_metric" {
  description = "Target-tracking metric of the group (null without a policy)."
  value       = one(aws_autoscaling_policy.this[*].target_tracking_configuration[0].predefined_metric_specification[0].predefined_metric_type)
}

output "launch_template_id" {
  description = "Launch template of the group."
  value       = aws_launch_template.this.id
}

output "public_ip" {
  description = "Whether instances get a public address (always false)."
  value       = aws_launch_template.this.network_interfaces[0].associate_public_ip_address
}

output "role_name" {
  description = "The instance role."
  value       = aws_iam_role.this.name
}

output "user_data" {
  description = "The rendered user data (for review and tests; holds no secret values)."
  value = templatefile("${path.module}/user_data.sh.tftpl", {
    service = var.service
    version = var.release_version
    bucket  = var.release_bucket
    prefix  = var.release_prefix
    arch    = var.arch
    env     = var.env
    secrets = var.secret_names
  })
}
