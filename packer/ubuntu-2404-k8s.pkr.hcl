# Ubuntu 24.04 LTS template with Kubernetes baked in, for labforge's
# iac/modules/k8s-cluster. Everything a node needs is installed and every
# image it runs is pulled here, once, so that provisioning a cluster
# downloads nothing. Builder: proxmox-iso from the hashicorp/proxmox plugin
# pinned in plugins.pkr.hcl.

locals {
  kubernetes_minor = join(".", slice(split(".", var.kubernetes_version), 0, 2))

  # Handed to every build script; they record these in /etc/labforge/image-release.
  build_env = [
    "KUBERNETES_VERSION=${var.kubernetes_version}",
    "KUBERNETES_MINOR=${local.kubernetes_minor}",
    "KUBERNETES_PACKAGE_REVISION=${var.kubernetes_package_revision}",
    "CRI_TOOLS_VERSION=${var.cri_tools_version}",
    "CONTAINERD_VERSION=${var.containerd_version}",
    "FLANNEL_VERSION=${var.flannel_version}",
    "FLANNEL_MANIFEST_SHA256=${var.flannel_manifest_sha256}",
    "TEMPLATE_NAME=${var.template_name}",
    "BUILD_USERNAME=${var.build_username}",
  ]
}

source "proxmox-iso" "ubuntu-2404-k8s" {
  proxmox_url              = "${trimsuffix(var.proxmox_endpoint, "/")}/api2/json"
  username                 = var.proxmox_token_id
  token                    = var.proxmox_token_secret
  insecure_skip_tls_verify = var.proxmox_insecure
  node                     = var.proxmox_node

  vm_id                = var.template_vmid
  tags                 = "labforge;template"
  vm_name              = var.template_name
  template_description = "labforge: Ubuntu 24.04 + Kubernetes ${var.kubernetes_version} + Flannel ${var.flannel_version}. Built by packer/ubuntu-2404-k8s.pkr.hcl; see /etc/labforge/image-release."

  boot_iso {
    iso_file = var.iso_file
    unmount  = true
  }

  os         = "l26"
  cpu_type   = "x86-64-v2-AES"
  sockets    = 1
  cores      = 2
  memory     = 4096
  qemu_agent = true

  # virtio-scsi-single gives each disk its own I/O thread; the clones keep
  # this controller and their scsi0 disk (the Terraform module resizes scsi0).
  scsi_controller = "virtio-scsi-single"

  disks {
    type         = "scsi"
    disk_size    = var.disk_size
    storage_pool = var.datastore
    format       = "raw"
    cache_mode   = "none"
    io_thread    = true
    discard      = true
  }

  network_adapters {
    model    = "virtio"
    bridge   = var.bridge
    vlan_tag = var.vlan_tag
  }

  # Leaves an empty cloud-init drive on the template, which each clone fills
  # with its own address, user and key.
  cloud_init              = true
  cloud_init_storage_pool = var.datastore

  # Subiquity autoinstall: the kernel line points cloud-init's NoCloud
  # datasource at Packer's HTTP server, which serves the rendered user-data.
  http_content = {
    "/user-data" = templatefile("${path.root}/http/user-data.pkrtpl.hcl", {
      username      = var.build_username
      password_hash = var.build_password_hash
    })
    "/meta-data" = file("${path.root}/http/meta-data")
  }
  boot_wait = "5s"
  boot_command = [
    "<wait>e<wait>",
    "<down><down><down><end>",
    " autoinstall 'ds=nocloud;s=http://{{ .HTTPIP }}:{{ .HTTPPort }}/'",
    "<f10>",
  ]

  # Password login exists only during the build, for the throwaway build
  # user; scripts/99-cleanup.sh deletes the user and turns passwords off.
  communicator = "ssh"
  ssh_username = var.build_username
  ssh_password = var.build_password
  ssh_timeout  = "45m"
}

build {
  sources = ["source.proxmox-iso.ubuntu-2404-k8s"]

  # The installed system's first boot runs cloud-init; let it finish before
  # touching apt.
  provisioner "shell" {
    inline = ["cloud-init status --wait || true"]
  }

  provisioner "shell" {
    environment_vars = local.build_env
    execute_command  = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    scripts = [
      "${path.root}/scripts/10-base.sh",
      "${path.root}/scripts/20-containerd.sh",
      "${path.root}/scripts/30-kubernetes.sh",
      "${path.root}/scripts/40-images.sh",
      "${path.root}/scripts/50-release.sh",
    ]
  }

  # Last step: it deletes the user Packer is logged in as, so Packer must not
  # try to remove the uploaded script afterwards (skip_clean).
  provisioner "shell" {
    environment_vars = local.build_env
    execute_command  = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    script           = "${path.root}/scripts/99-cleanup.sh"
    skip_clean       = true
  }
}
