output "url" {
  description = "URL the core and the indexer use."
  value       = "http://es.${var.zone_name}:9200"
}

output "node_ids" {
  description = "Instance ids of the nodes."
  value       = aws_instance.node[*].id
}

output "node_ips" {
  description = "Private addresses of the nodes."
  value       = aws_instance.node[*].private_ip
}
