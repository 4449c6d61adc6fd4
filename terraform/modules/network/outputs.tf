output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "The VPC's CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (internet-facing ALB, NAT)."
  value       = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  description = "Private subnets of the instances and the internal ALB."
  value       = aws_subnet.app[*].id
}

output "app_subnet_cidrs" {
  description = "CIDR blocks of the app subnets, in AZ order."
  value       = aws_subnet.app[*].cidr_block
}

output "data_subnet_ids" {
  description = "Private subnets of RDS and ElastiCache."
  value       = aws_subnet.data[*].id
}

output "private_zone_id" {
  description = "The private Route 53 zone."
  value       = aws_route53_zone.private.zone_id
}

output "private_zone_name" {
  description = "The private Route 53 zone's name."
  value       = aws_route53_zone.private.name
}

output "nat_public_ips" {
  description = "Egress addresses of the private subnets."
  value       = aws_eip.nat[*].public_ip
}
