terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }

  # Remote state, configured at init: `tofu init -backend-config=backend.hcl`
  # (see backend.hcl.example). The state holds the generated secrets: keep
  # the bucket encrypted and private.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "classmate"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
