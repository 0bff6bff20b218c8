# tflint with its bundled Terraform ruleset only (works offline): every rule, including typed and
# documented variables/outputs, unused declarations, naming and standard module structure.
plugin "terraform" {
  enabled = true
  preset  = "all"
}
