# Load balancers. The public ALB is the only way in from the internet and
# sends everything to the gate (the waiting room, its WebSocket and its proxy
# of /api/v1); /metrics and the admin API are refused there unless the client
# is in admin_cidrs. The core sits behind an internal ALB whose security
# group admits only the gate.

resource "aws_lb" "public" {
  name                       = "${var.name}-public"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [var.alb_security_group_id]
  idle_timeout               = var.idle_timeout
  drop_invalid_header_fields = true
  enable_http2               = true
  enable_deletion_protection = var.deletion_protection
  tags                       = { Name = "${var.name}-public" }
}

resource "aws_lb_target_group" "gate" {
  name                 = "${var.name}-gate"
  port                 = var.gate_port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  target_type          = "instance"
  deregistration_delay = 30
  slow_start           = 30

  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.public.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gate.arn
  }
}

# Path routing. Every path the gate serves goes to the gate explicitly (so a
# change of the default action cannot silently detach them): the queue and
# its WebSocket, the proxied API and the pages.
resource "aws_lb_listener_rule" "gate" {
  for_each     = var.gate_paths
  listener_arn = aws_lb_listener.https.arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gate.arn
  }

  condition {
    path_pattern {
      values = each.value.patterns
    }
  }
}

# The admin API and /metrics through the public ALB only from admin_cidrs.
resource "aws_lb_listener_rule" "admin_allowed" {
  count        = length(var.admin_cidrs) > 0 ? 1 : 0
  listener_arn = aws_lb_listener.https.arn
  priority     = 5

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gate.arn
  }

  condition {
    path_pattern {
      values = ["/admin/*"]
    }
  }

  condition {
    source_ip {
      values = var.admin_cidrs
    }
  }
}

resource "aws_lb_listener_rule" "deny" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 6

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"not found\"}}"
      status_code  = "404"
    }
  }

  condition {
    path_pattern {
      values = ["/admin/*", "/metrics"]
    }
  }
}

# ---------------------------------------------------------------- core

resource "aws_lb" "core" {
  name                       = "${var.name}-core"
  load_balancer_type         = "application"
  internal                   = true
  subnets                    = var.app_subnet_ids
  security_groups            = [var.core_alb_security_group_id]
  idle_timeout               = 60
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  tags                       = { Name = "${var.name}-core" }
}

resource "aws_lb_target_group" "core" {
  name                 = "${var.name}-core"
  port                 = var.core_port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  target_type          = "instance"
  deregistration_delay = 20

  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "core" {
  load_balancer_arn = aws_lb.core.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.core.arn
  }
}
