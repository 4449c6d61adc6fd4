# Secrets live in SSM Parameter Store as SecureString under
# /<prefix>/<name>, encrypted with the account's aws/ssm key. Terraform
# generates each value once (Secrets Manager's password generator, so no
# other provider is needed) and never overwrites it: rotation is done by
# operators with `aws ssm put-parameter --overwrite` (see terraform/README.md),
# and the instances read the values at boot. The generated values are in the
# Terraform state: keep the state in an encrypted, access-controlled backend.

locals {
  # name => [length, description]
  generated = {
    "admin-token"    = [48, "Bearer token of /admin/v1 on the gate and the core (CLASSMATE_ADMIN_TOKEN)"]
    "session-keys"   = [64, "Session-token keyring, kid:secret (CLASSMATE_SESSION_KEYS)"]
    "admission-keys" = [64, "Admission-token keyring, kid:secret (CLASSMATE_ADMISSION_KEYS)"]
    "mysql-password" = [40, "RDS master password (CLASSMATE_MYSQL_DSN)"]
    "redis-auth"     = [64, "ElastiCache AUTH token (CLASSMATE_REDIS_PASSWORD), used with in-transit encryption"]
  }
}

# Alphanumeric only: valid in a DSN, an AUTH token and base64 (a keyring
# secret of 64 base64 characters is 48 bytes, above the 32-byte minimum).
data "aws_secretsmanager_random_password" "this" {
  for_each            = local.generated
  password_length     = each.value[0]
  exclude_punctuation = true
  include_space       = false
}

resource "aws_ssm_parameter" "generated" {
  for_each    = local.generated
  name        = "/${var.prefix}/${each.key}"
  description = each.value[1]
  type        = "SecureString"
  value = (
    contains(["session-keys", "admission-keys"], each.key)
    ? "k1:${data.aws_secretsmanager_random_password.this[each.key].random_password}"
    : data.aws_secretsmanager_random_password.this[each.key].random_password
  )

  lifecycle {
    ignore_changes = [value]
  }
}
