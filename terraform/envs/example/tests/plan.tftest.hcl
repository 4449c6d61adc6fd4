# Plan-level checks of the example environment with a mocked AWS provider:
# nothing is created; every computed value is made up by the mock. Run by
# make tf-check (tofu test).

mock_provider "aws" {
  mock_data "aws_ssm_parameter" {
    defaults = {
      value = "ami-0123456789abcdef0"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_secretsmanager_random_password" {
    defaults = {
      random_password = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWx"
    }
  }
}

# Distinct, recognisable identities for the things the assertions compare
# (the mock's own random values may collide).
override_resource {
  target = module.alb.aws_lb_target_group.gate
  values = {
    arn        = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/cm-prod-gate/1111"
    arn_suffix = "targetgroup/cm-prod-gate/1111"
  }
}

override_resource {
  target = module.alb.aws_lb_target_group.core
  values = {
    arn        = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/cm-prod-core/2222"
    arn_suffix = "targetgroup/cm-prod-core/2222"
  }
}

override_resource {
  target = module.network.aws_subnet.public
  values = {
    id = "subnet-public"
  }
}

override_resource {
  target = module.network.aws_subnet.app
  values = {
    id = "subnet-app"
  }
}

variables {
  certificate_arn = "arn:aws:acm:ap-northeast-2:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  release_bucket  = "example-classmate-releases"
  release_version = "v1.2.3"
  alarm_emails    = ["oncall@example.com"]
}

run "topology" {
  command = apply

  assert {
    condition     = length(output.asg_names) == 3
    error_message = "Expected Auto Scaling Groups for gate, core and indexer."
  }

  assert {
    condition     = output.checks.gate_asg_target_groups == toset([output.checks.gate_target_group_arn])
    error_message = "The gate ASG must register with the gate target group only."
  }

  assert {
    condition     = output.checks.core_asg_target_groups == toset([output.checks.core_target_group_arn])
    error_message = "The core ASG must register with the core's internal target group only."
  }

  assert {
    condition     = output.checks.indexer_max_size == 1
    error_message = "Exactly one indexer reads the binlog."
  }

  assert {
    condition     = output.checks.gate_scaling_metric == "ALBRequestCountPerTarget" && output.checks.core_scaling_metric == "ASGAverageCPUUtilization"
    error_message = "The gate scales on ALB requests per target, the core on CPU."
  }
}

run "listener_rules_route_to_the_gate" {
  command = apply

  assert {
    condition     = length(output.checks.gate_rule_target_groups) >= 3
    error_message = "Expected the queue, API and page rules on the public listener."
  }

  assert {
    condition     = alltrue([for k, tg in output.checks.gate_rule_target_groups : tg == output.checks.gate_target_group_arn])
    error_message = "Every path rule of the public listener must forward to the gate."
  }

  assert {
    condition     = !contains(values(output.checks.gate_rule_target_groups), output.checks.core_target_group_arn)
    error_message = "No public listener rule may forward to the core."
  }
}

run "core_is_not_public" {
  command = apply

  assert {
    condition     = output.checks.core_alb_internal == true && output.checks.public_alb_internal == false
    error_message = "The core's ALB must be internal, the gate's internet-facing."
  }

  assert {
    condition     = output.checks.core_subnets == toset(output.checks.app_subnets)
    error_message = "Core instances must run in the private app subnets."
  }

  assert {
    condition     = length(setintersection(output.checks.core_subnets, toset(output.checks.public_subnets))) == 0
    error_message = "No core instance in a public subnet."
  }

  assert {
    condition     = tostring(output.checks.core_public_ip) == "false"
    error_message = "Core instances must not get public addresses."
  }

  assert {
    condition = (
      [for k, r in output.checks.internal_rules : r.from if r.to == "core_alb"] == ["gate"] &&
      [for k, r in output.checks.internal_rules : r.from if r.to == "core"] == ["core_alb"]
    )
    error_message = "Only the gate may reach the core's ALB, and only that ALB the core."
  }
}

run "replicas_follow_the_count" {
  command = apply

  variables {
    db_replica_count = 3
  }

  assert {
    condition     = length(output.mysql_replicas) == 3
    error_message = "db_replica_count = 3 must give three read replicas."
  }

  assert {
    condition     = alltrue([for s in output.checks.replica_sources : s == output.checks.primary_identifier])
    error_message = "Every replica must replicate from the primary."
  }
}

run "no_replicas" {
  command = apply

  variables {
    db_replica_count = 0
  }

  assert {
    condition     = length(output.mysql_replicas) == 0
    error_message = "db_replica_count = 0 must give no replica."
  }
}

run "binlog_and_durability_settings" {
  command = apply

  assert {
    condition = (
      output.checks.db_parameters["binlog_format"] == "ROW" &&
      output.checks.db_parameters["binlog_row_image"] == "FULL" &&
      output.checks.db_parameters["binlog_row_metadata"] == "FULL" &&
      output.checks.db_parameters["gtid-mode"] == "ON" &&
      output.checks.db_parameters["enforce_gtid_consistency"] == "ON" &&
      output.checks.db_parameters["sync_binlog"] == "1" &&
      output.checks.db_parameters["innodb_flush_log_at_trx_commit"] == "1"
    )
    error_message = "The parameter group must carry the binlog, GTID and durability settings."
  }
}

run "user_data_installs_the_release" {
  command = apply

  assert {
    condition = (
      strcontains(output.checks.core_user_data, "classmate-v1.2.3-linux-arm64.tar.gz") &&
      strcontains(output.checks.core_user_data, "ExecStart=/opt/classmate/current/core") &&
      strcontains(output.checks.gate_user_data, "ExecStart=/opt/classmate/current/gate")
    )
    error_message = "User data must install the release and run the binary under systemd."
  }

  assert {
    condition     = !strcontains(output.checks.core_user_data, "AbCdEfGh")
    error_message = "User data must not carry secret values (they are read from SSM at boot)."
  }
}

run "bad_es_node_count_is_refused" {
  command = plan

  variables {
    es_node_count = 2
  }

  expect_failures = [var.es_node_count]
}
