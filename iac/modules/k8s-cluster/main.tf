# One control plane and N workers, cloned from the template that
# packer/ubuntu-2404-k8s.pkr.hcl builds. Everything Kubernetes needs is in that
# image already; this module only clones, sizes, addresses and starts VMs.

locals {
  name_prefix = "${var.tenant}-${var.cluster_name}"

  # Control plane first, then w1..wN: the order of var.ips and of the output.
  nodes = [
    for i in range(var.workers + 1) : {
      name = i == 0 ? "${local.name_prefix}-cp" : "${local.name_prefix}-w${i}"
      role = i == 0 ? "control_plane" : "worker"
      ip   = var.ips[i]
      # The driver's placement by free memory; round robin when it gave none.
      proxmox_node = length(var.placement) > 0 ? var.placement[i] : var.proxmox_nodes[i % length(var.proxmox_nodes)]
      # From infra.proxmox.vmid_range; null lets Proxmox pick the next free id.
      vm_id = length(var.vm_ids) > 0 ? var.vm_ids[i] : null
    }
  ]

  # Where the template lives; Proxmox clones from there.
  template_node = var.proxmox_nodes[0]

  pod_prefix = split("/", var.pod_cidr)[1]
}

resource "proxmox_virtual_environment_vm" "node" {
  for_each = { for n in local.nodes : n.name => n }

  name        = each.value.name
  node_name   = each.value.proxmox_node
  vm_id       = each.value.vm_id
  description = "labforge ${var.cluster_id}: ${each.value.role} of ${var.tenant}/${var.cluster_name} (Kubernetes ${var.kubernetes_version}). Managed by Terraform; changes made here are overwritten."
  # Proxmox stores tags sorted and lower-case; giving them that way avoids a
  # perpetual diff.
  tags = sort(distinct(["labforge", var.tenant, var.cluster_name, replace(each.value.role, "_", "-")]))

  clone {
    vm_id     = var.template_vmid
    node_name = local.template_node
    full      = !var.linked_clones
    # A linked clone must stay on the template's storage; a full clone may move.
    datastore_id = var.linked_clones ? null : var.datastore
    # Proxmox sometimes times out on concurrent clones of one template.
    retries = 3
  }

  # The image runs qemu-guest-agent, so Proxmox can shut nodes down cleanly
  # and the provider waits until the guest has booted far enough to report.
  agent {
    enabled = true
    timeout = "10m"
  }

  cpu {
    cores = var.vcpus
    # Proxmox's own default weight on cgroup v2 (the provider would send 1024,
    # ten times the share of every VM not made by labforge).
    units = 100
    # Proxmox 8's default model: live-migratable between unlike hosts.
    type = "x86-64-v2-AES"
  }

  memory {
    # No ballooning: the kubelet plans with the memory it sees at start.
    dedicated = var.memory_mb
  }

  # The template's root disk, grown to the size; cloud-init's growpart then
  # grows the partition and filesystem on first boot.
  disk {
    interface    = "scsi0"
    datastore_id = var.datastore
    size         = var.disk_gb
    discard      = "on"
    iothread     = true
  }

  network_device {
    bridge = var.bridge
    model  = "virtio"
  }

  operating_system {
    type = "l26"
  }

  initialization {
    datastore_id = var.datastore

    ip_config {
      ipv4 {
        address = "${each.value.ip}/${var.prefix}"
        gateway = var.gateway
      }
    }

    dns {
      servers = var.dns
    }

    # Key only: no password is set, so console and SSH password logins stay
    # impossible.
    user_account {
      username = var.ssh_user
      keys     = [trimspace(var.ssh_public_key)]
    }
  }

  # stop/start (day-2) flip `started`; a stopped VM also stays off when its host reboots.
  started = var.started
  on_boot = var.started
  # Destroy means the cluster is gone: a hard stop is faster than a guest
  # shutdown and cannot hang on a wedged guest.
  stop_on_destroy = true

  lifecycle {
    precondition {
      # Same network address under the pod prefix = the node IP is inside it.
      condition     = cidrhost("${each.value.ip}/${local.pod_prefix}", 0) != cidrhost(var.pod_cidr, 0)
      error_message = "Node address ${each.value.ip} lies inside pod_cidr ${var.pod_cidr}; pick a pod CIDR that does not overlap the node network."
    }
  }
}
