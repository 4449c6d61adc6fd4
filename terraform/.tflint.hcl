# tflint with its bundled Terraform ruleset only (the AWS ruleset plugin is
# downloaded from GitHub, which CI cannot reach). "all" adds the naming,
# documentation, typing, unused-declaration and module-structure rules to the
# recommended ones.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
