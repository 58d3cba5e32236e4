terraform {
  # 1.9 is the first release whose variable validations may refer to other
  # variables (the `ips` length check needs `workers`).
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    proxmox = {
      source = "bpg/proxmox"
      # Exact pin: the VM resource's clone/cloud-init behaviour has changed
      # between 0.x releases. Bump deliberately, after a test clone.
      version = "0.81.0"
    }
  }
}
