# Kept in its own file on purpose: Debian's Packer 1.6.6, which CI uses for
# `packer fmt` and `packer validate -syntax-only`, does not know
# required_plugins, so scripts/lint-iac.sh leaves this file out of that check.
# Build with Packer >= 1.10: `packer init .` installs the pinned plugin.
packer {
  required_version = ">= 1.10.0"

  required_plugins {
    proxmox = {
      source  = "github.com/hashicorp/proxmox"
      version = "= 1.2.3"
    }
  }
}
