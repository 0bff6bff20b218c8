terraform {
  # 1.9: variable validations may refer to other variables; mock_provider (tests) needs 1.7.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}
