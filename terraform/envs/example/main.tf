# classmate on AWS: one environment. See terraform/README.md.

data "aws_partition" "current" {}

locals {
  name         = "${var.name}-${var.environment}"
  gate_port    = 8080
  core_port    = 8081
  indexer_port = 8083

  mysql_dsn   = "${var.db_username}:{{mysql_password}}@tcp(${module.database.primary_host}:3306)/classmate?tls=preferred"
  replica_dsn = "${var.db_username}:{{mysql_password}}@tcp(${module.database.replica_host}:3306)/classmate?tls=preferred"

  # Secrets each service reads at boot: placeholder => secret of the secrets module.
  service_secrets = {
    gate    = concat(["admin-token", "session-keys", "admission-keys"], var.redis_transit_encryption ? ["redis-auth"] : [])
    core    = concat(["admin-token", "session-keys", "admission-keys", "mysql-password"], var.redis_transit_encryption ? ["redis-auth"] : [])
    indexer = ["mysql-password"]
  }
  secret_names = { for svc, list in local.service_secrets : svc => { for s in list : replace(s, "-", "_") => module.secrets.names[s] } }
  secret_arns  = { for svc, list in local.service_secrets : svc => { for s in list : replace(s, "-", "_") => module.secrets.arns[s] } }

  redis_password = var.redis_transit_encryption ? { CLASSMATE_REDIS_PASSWORD = "{{redis_auth}}" } : {}
  tokens = {
    CLASSMATE_ADMIN_TOKEN    = "{{admin_token}}"
    CLASSMATE_SESSION_KEYS   = "{{session_keys}}"
    CLASSMATE_ADMISSION_KEYS = "{{admission_keys}}"
  }

  env = {
    gate = merge(local.tokens, local.redis_password, {
      CLASSMATE_ENV                  = "production"
      CLASSMATE_GATE_ADDR            = "0.0.0.0:${local.gate_port}"
      CLASSMATE_CORE_URLS            = module.alb.core_url
      CLASSMATE_REDIS_ADDR           = module.cache.address
      CLASSMATE_GATE_TRUST_FORWARDED = "true"
      CLASSMATE_LOG_LEVEL            = var.log_level
    }, var.gate_extra_env)
    core = merge(local.tokens, local.redis_password, {
      CLASSMATE_ENV               = "production"
      CLASSMATE_CORE_ADDR         = "0.0.0.0:${local.core_port}"
      CLASSMATE_MYSQL_DSN         = local.mysql_dsn
      CLASSMATE_MYSQL_REPLICA_DSN = local.replica_dsn
      CLASSMATE_MYSQL_MAX_CONNS   = tostring(var.core_mysql_max_conns)
      CLASSMATE_REDIS_ADDR        = module.cache.address
      CLASSMATE_ES_URL            = module.search.url
      CLASSMATE_ES_INDEX          = "classmate-courses"
      CLASSMATE_LOG_LEVEL         = var.log_level
    }, var.core_extra_env)
    indexer = {
      CLASSMATE_ENV               = "production"
      CLASSMATE_MYSQL_DSN         = local.mysql_dsn
      CLASSMATE_ES_URL            = module.search.url
      CLASSMATE_ES_INDEX          = "classmate-courses"
      CLASSMATE_ES_REPLICAS       = var.es_node_count > 1 ? "1" : "0"
      CLASSMATE_INDEXER_ADDR      = "0.0.0.0:${local.indexer_port}"
      CLASSMATE_INDEXER_SERVER_ID = "4201"
      CLASSMATE_LOG_LEVEL         = var.log_level
    }
  }
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  region             = var.region
  cidr               = var.vpc_cidr
  azs                = var.azs
  single_nat_gateway = var.single_nat_gateway
}

module "security" {
  source           = "../../modules/security"
  name             = local.name
  vpc_id           = module.network.vpc_id
  gate_port        = local.gate_port
  core_port        = local.core_port
  indexer_port     = local.indexer_port
  monitoring_cidrs = var.monitoring_cidrs
}

module "secrets" {
  source = "../../modules/secrets"
  prefix = "${var.name}/${var.environment}"
}

module "alb" {
  source                     = "../../modules/alb"
  name                       = local.name
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  app_subnet_ids             = module.network.app_subnet_ids
  alb_security_group_id      = module.security.ids["alb"]
  core_alb_security_group_id = module.security.ids["core_alb"]
  certificate_arn            = var.certificate_arn
  gate_port                  = local.gate_port
  core_port                  = local.core_port
  admin_cidrs                = var.admin_cidrs
  idle_timeout               = var.alb_idle_timeout
  deletion_protection        = var.deletion_protection
}

module "database" {
  source                 = "../../modules/database"
  name                   = local.name
  subnet_ids             = module.network.data_subnet_ids
  security_group_id      = module.security.ids["mysql"]
  engine_version         = var.db_engine_version
  instance_class         = var.db_instance_class
  replica_instance_class = var.db_replica_instance_class
  replica_count          = var.db_replica_count
  multi_az               = var.db_multi_az
  username               = var.db_username
  password               = module.secrets.mysql_password
  deletion_protection    = var.deletion_protection
  zone_id                = module.network.private_zone_id
  zone_name              = module.network.private_zone_name
}

module "cache" {
  source             = "../../modules/cache"
  name               = local.name
  subnet_ids         = module.network.data_subnet_ids
  security_group_id  = module.security.ids["redis"]
  node_type          = var.redis_node_type
  cluster_mode       = var.redis_cluster_mode
  shards             = var.redis_shards
  replicas_per_shard = var.redis_replicas_per_shard
  transit_encryption = var.redis_transit_encryption
  auth_token         = module.secrets.redis_auth_token
}

module "search" {
  source            = "../../modules/search"
  name              = local.name
  node_count        = var.es_node_count
  instance_type     = var.es_instance_type
  arch              = var.arch
  data_volume_size  = var.es_volume_size
  subnet_ids        = module.network.app_subnet_ids
  security_group_id = module.security.ids["es"]
  zone_id           = module.network.private_zone_id
  zone_name         = module.network.private_zone_name
}

module "gate" {
  source            = "../../modules/service"
  name              = local.name
  service           = "gate"
  release_bucket    = var.release_bucket
  release_version   = var.release_version
  arch              = var.arch
  instance_type     = var.gate_instance_type
  subnet_ids        = module.network.app_subnet_ids
  security_group_id = module.security.ids["gate"]
  target_group_arns = [module.alb.gate_target_group_arn]
  min_size          = var.gate_min
  max_size          = var.gate_max
  desired_capacity  = var.gate_min
  env               = local.env.gate
  secret_names      = local.secret_names.gate
  secret_arns       = local.secret_arns.gate
  scaling = {
    metric         = "ALBRequestCountPerTarget"
    target         = var.gate_requests_per_target
    resource_label = "${module.alb.public_arn_suffix}/${module.alb.gate_target_group_arn_suffix}"
  }
}

module "core" {
  source            = "../../modules/service"
  name              = local.name
  service           = "core"
  release_bucket    = var.release_bucket
  release_version   = var.release_version
  arch              = var.arch
  instance_type     = var.core_instance_type
  subnet_ids        = module.network.app_subnet_ids
  security_group_id = module.security.ids["core"]
  target_group_arns = [module.alb.core_target_group_arn]
  min_size          = var.core_min
  max_size          = var.core_max
  desired_capacity  = var.core_min
  env               = local.env.core
  secret_names      = local.secret_names.core
  secret_arns       = local.secret_arns.core
  scaling = {
    metric = "ASGAverageCPUUtilization"
    target = var.core_cpu_target
  }
}

# One indexer: a single binlog reader; a replacement resumes from the saved
# position, and replays are idempotent.
module "indexer" {
  source                         = "../../modules/service"
  name                           = local.name
  service                        = "indexer"
  release_bucket                 = var.release_bucket
  release_version                = var.release_version
  arch                           = var.arch
  instance_type                  = var.indexer_instance_type
  subnet_ids                     = module.network.app_subnet_ids
  security_group_id              = module.security.ids["indexer"]
  min_size                       = 1
  max_size                       = 1
  desired_capacity               = 1
  refresh_min_healthy_percentage = 0
  env                            = local.env.indexer
  secret_names                   = local.secret_names.indexer
  secret_arns                    = local.secret_arns.indexer
}

module "monitoring" {
  source                       = "../../modules/monitoring"
  name                         = local.name
  region                       = var.region
  partition                    = data.aws_partition.current.partition
  alarm_emails                 = var.alarm_emails
  public_alb_arn_suffix        = module.alb.public_arn_suffix
  core_alb_arn_suffix          = module.alb.core_arn_suffix
  gate_target_group_arn_suffix = module.alb.gate_target_group_arn_suffix
  core_target_group_arn_suffix = module.alb.core_target_group_arn_suffix
  db_primary_identifier        = module.database.primary_identifier
  db_replica_identifiers       = module.database.replica_identifiers
  redis_node_ids               = module.cache.node_ids
  es_node_count                = var.es_node_count
  es_instance_ids              = module.search.node_ids
  asg_names = {
    gate    = { name = module.gate.asg_name, min = var.gate_min }
    core    = { name = module.core.asg_name, min = var.core_min }
    indexer = { name = module.indexer.asg_name, min = 1 }
  }
}
