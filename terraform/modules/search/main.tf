# Elasticsearch, self-managed on EC2 (see terraform/README.md for why not
# Elastic Cloud): node_count fixed instances spread over the app subnets,
# each with an encrypted gp3 data volume and a fixed node name, so that a
# replaced node rejoins as itself. The nodes find each other through the
# discovery-ec2 plugin (a tag), and are published in the private zone as
# es.<zone> (one A record per node, updated when a node is replaced).

data "aws_partition" "current" {}

data "aws_ssm_parameter" "ami" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${var.arch == "arm64" ? "arm64" : "x86_64"}"
}

locals {
  nodes           = [for i in range(var.node_count) : "${var.name}-es-${i}"]
  initial_masters = join(", ", [for n in local.nodes : "\"${n}\""])
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
  name_prefix        = "${var.name}-es-"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# discovery-ec2 lists instances; DescribeInstances has no resource-level
# permissions, so "*" is the narrowest it can be.
data "aws_iam_policy_document" "discovery" {
  statement {
    sid       = "Discovery"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "discovery" {
  name   = "es-discovery"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.discovery.json
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${var.name}-es-"
  role        = aws_iam_role.this.name
}

resource "aws_instance" "node" {
  count                       = var.node_count
  ami                         = data.aws_ssm_parameter.ami.value
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_ids[count.index % length(var.subnet_ids)]
  vpc_security_group_ids      = [var.security_group_id]
  iam_instance_profile        = aws_iam_instance_profile.this.name
  monitoring                  = true
  user_data_replace_on_change = false
  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    es_version      = var.es_version
    cluster         = var.name
    node_name       = local.nodes[count.index]
    initial_masters = local.initial_masters
  })

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_size = 20
    volume_type = "gp3"
    encrypted   = true
  }

  ebs_block_device {
    device_name           = "/dev/xvdf"
    volume_size           = var.data_volume_size
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  tags = {
    Name         = local.nodes[count.index]
    "es-cluster" = var.name
    Service      = "elasticsearch"
  }

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_route53_record" "es" {
  zone_id = var.zone_id
  name    = "es.${var.zone_name}"
  type    = "A"
  ttl     = 30
  records = aws_instance.node[*].private_ip
}
