output "address" {
  description = "host:port the services use (the primary endpoint, or the configuration endpoint in cluster mode)."
  value = format("%s:6379", var.cluster_mode
    ? aws_elasticache_replication_group.this.configuration_endpoint_address
  : aws_elasticache_replication_group.this.primary_endpoint_address)
}

output "id" {
  description = "Replication group id (CloudWatch dimension prefix)."
  value       = aws_elasticache_replication_group.this.id
}

output "node_ids" {
  description = "Node ids (CloudWatch CacheClusterId dimensions), known at plan time: ElastiCache names nodes <group>-NNN, or <group>-SSSS-NNN in cluster mode."
  value = var.cluster_mode ? flatten([
    for s in range(1, var.shards + 1) : [for n in range(1, var.replicas_per_shard + 2) : format("%s-%04d-%03d", var.name, s, n)]
  ]) : [for n in range(1, var.replicas_per_shard + 2) : format("%s-%03d", var.name, n)]
}
