# Example root module: the labforge driver writes one like this into each
# cluster's workspace (with a copy of the module in ./module, so the cluster is always destroyed with the code it was made with), next to a
# terraform.tfvars.json holding only non-secret inputs. The API token arrives
# as TF_VAR_proxmox_api_token in the environment and is never written down.

terraform {
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    proxmox = {
      source  = "bpg/proxmox"
      version = "0.81.0"
    }
  }
}

provider "proxmox" {
  endpoint  = var.proxmox_endpoint
  api_token = var.proxmox_api_token
  insecure  = var.proxmox_insecure
  # No ssh block: clone, resize, cloud-init, start and destroy all go through
  # the API, so the bot needs no shell account on the Proxmox hosts.
}

module "cluster" {
  source = "../modules/k8s-cluster"

  cluster_id   = var.cluster_id
  cluster_name = var.cluster_name
  tenant       = var.tenant

  workers   = var.workers
  vcpus     = var.vcpus
  memory_mb = var.memory_mb
  disk_gb   = var.disk_gb

  ips     = var.ips
  prefix  = var.prefix
  gateway = var.gateway
  dns     = var.dns

  ssh_public_key = var.ssh_public_key
  ssh_user       = var.ssh_user

  proxmox_endpoint  = var.proxmox_endpoint
  proxmox_api_token = var.proxmox_api_token
  proxmox_insecure  = var.proxmox_insecure
  proxmox_nodes     = var.proxmox_nodes
  placement         = var.placement
  vm_ids            = var.vm_ids
  template_vmid     = var.template_vmid
  datastore         = var.datastore
  bridge            = var.bridge
  linked_clones     = var.linked_clones
  started           = var.started

  kubernetes_version = var.kubernetes_version
  pod_cidr           = var.pod_cidr
}
