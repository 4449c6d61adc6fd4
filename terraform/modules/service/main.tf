# One service tier (gate, core or indexer): an instance role that may read
# only its own secrets and the release, a launch template whose user data
# installs the release binary and runs it under systemd with its CLASSMATE_*
# environment, and an Auto Scaling Group spread over the app subnets with
# rolling instance refresh. A new release_version changes the user data, so
# the launch template gets a new version and the group refreshes itself.

data "aws_partition" "current" {}

data "aws_ssm_parameter" "ami" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.arch == "arm64" ? "arm64" : "x86_64"}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix        = "${var.name}-${var.service}-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# Least privilege: read this service's secrets by ARN, and the release
# objects under the release prefix; nothing else (Session Manager comes from
# the AWS-managed core policy, for shell access without SSH).
data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadOwnSecrets"
      actions   = ["ssm:GetParameter", "ssm:GetParameters"]
      resources = values(var.secret_arns)
    }
  }

  statement {
    sid       = "ReadRelease"
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.release_bucket}/${var.release_prefix}/*"]
  }

  dynamic "statement" {
    for_each = var.extra_policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.service}-runtime"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-${var.service}-"
  role        = aws_iam_role.this.name
}

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-${var.service}-"
  image_id               = var.ami_id != "" ? var.ami_id : data.aws_ssm_parameter.ami.value
  instance_type          = var.instance_type
  update_default_version = true
  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    service = var.service
    version = var.release_version
    bucket  = var.release_bucket
    prefix  = var.release_prefix
    arch    = var.arch
    env     = var.env
    secrets = var.secret_names
  }))

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  network_interfaces {
    associate_public_ip_address = false
    delete_on_termination       = true
    security_groups             = [var.security_group_id]
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${var.name}-${var.service}", Service = var.service, Release = var.release_version }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for k, v in var.env : !strcontains(v, "'") && can(regex("^CLASSMATE_[A-Z0-9_]+$", k))])
      error_message = "env keys must be CLASSMATE_* and values must not contain single quotes."
    }
  }
}

resource "aws_autoscaling_group" "this" {
  name_prefix               = "${var.name}-${var.service}-"
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.desired_capacity
  vpc_zone_identifier       = var.subnet_ids
  target_group_arns         = var.target_group_arns
  health_check_type         = length(var.target_group_arns) > 0 ? "ELB" : "EC2"
  health_check_grace_period = 120
  default_instance_warmup   = 60
  max_instance_lifetime     = 0
  termination_policies      = ["OldestLaunchTemplate", "Default"]
  enabled_metrics           = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupPendingInstances", "GroupTerminatingInstances"]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = var.refresh_min_healthy_percentage
      instance_warmup        = 60
      skip_matching          = true
      auto_rollback          = true
    }
  }

  tag {
    key                 = "Service"
    value               = var.service
    propagate_at_launch = true
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_policy" "this" {
  count                     = var.scaling == null ? 0 : 1
  name                      = "${var.service}-${var.scaling.metric}"
  autoscaling_group_name    = aws_autoscaling_group.this.name
  policy_type               = "TargetTrackingScaling"
  estimated_instance_warmup = 60

  target_tracking_configuration {
    target_value     = var.scaling.target
    disable_scale_in = false

    predefined_metric_specification {
      predefined_metric_type = var.scaling.metric
      resource_label         = var.scaling.resource_label
    }
  }
}
