# The labforge driver's contract. This file is kept byte-identical in
# iac/modules/k8s-cluster, iac/root and test/fixtures/terraform/k8s-cluster
# (test/iac/terraform-contract.test.ts checks it): change all three together.

# --- Identity -----------------------------------------------------------------

variable "cluster_id" {
  description = "labforge's cluster id (e.g. c-01HXYZ...); written into each VM's description."
  type        = string

  validation {
    condition     = can(regex("^c-[0-9A-Za-z]{6,40}$", var.cluster_id))
    error_message = "cluster_id must look like c-<ULID>."
  }
}

variable "cluster_name" {
  description = "Cluster name, a DNS-1123 label of 3-24 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{1,22}[a-z0-9])$", var.cluster_name))
    error_message = "cluster_name must be a lowercase DNS label of 3-24 characters."
  }
}

variable "tenant" {
  description = "Tenant id (e.g. cs401); prefixes the VM names and is a VM tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$", var.tenant))
    error_message = "tenant must be a lowercase DNS-ish id of at most 32 characters."
  }
}

# --- Size ---------------------------------------------------------------------

variable "workers" {
  description = "Number of worker nodes (0 gives a single-node cluster)."
  type        = number

  validation {
    condition     = var.workers >= 0 && var.workers <= 50 && floor(var.workers) == var.workers
    error_message = "workers must be a whole number from 0 to 50."
  }
}

variable "vcpus" {
  description = "vCPUs per node."
  type        = number

  validation {
    condition     = var.vcpus >= 1 && floor(var.vcpus) == var.vcpus
    error_message = "vcpus must be a whole number of at least 1."
  }
}

variable "memory_mb" {
  description = "Memory per node in MiB (kubeadm wants at least 1700)."
  type        = number

  validation {
    condition     = var.memory_mb >= 1024 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of at least 1024."
  }
}

variable "disk_gb" {
  description = "Root disk per node in GiB; must not be smaller than the template's 12 GiB disk (clones only grow)."
  type        = number

  validation {
    condition     = var.disk_gb >= 12 && floor(var.disk_gb) == var.disk_gb
    error_message = "disk_gb must be a whole number of at least 12 (the template's disk size)."
  }
}

# --- Network ------------------------------------------------------------------

variable "ips" {
  description = "Static IPv4 addresses: element 0 is the control plane, then workers 1..N."
  type        = list(string)

  validation {
    condition     = length(var.ips) == var.workers + 1
    error_message = "ips must hold exactly workers + 1 addresses (control plane first)."
  }

  validation {
    condition     = alltrue([for ip in var.ips : can(cidrhost("${ip}/32", 0))]) && length(distinct(var.ips)) == length(var.ips)
    error_message = "ips must be distinct IPv4 addresses without a prefix."
  }
}

variable "prefix" {
  description = "Prefix length of the node network (e.g. 24)."
  type        = number

  validation {
    condition     = var.prefix >= 8 && var.prefix <= 30 && floor(var.prefix) == var.prefix
    error_message = "prefix must be a whole number from 8 to 30."
  }
}

variable "gateway" {
  description = "IPv4 default gateway; must not be one of the node addresses."
  type        = string

  validation {
    condition     = can(cidrhost("${var.gateway}/32", 0)) && !contains(var.ips, var.gateway)
    error_message = "gateway must be an IPv4 address that is not in ips."
  }
}

variable "dns" {
  description = "DNS servers given to the nodes by cloud-init."
  type        = list(string)

  validation {
    condition     = length(var.dns) > 0 && alltrue([for ip in var.dns : can(cidrhost("${ip}/32", 0))])
    error_message = "dns must hold at least one IPv4 address."
  }
}

# --- Access -------------------------------------------------------------------

variable "ssh_public_key" {
  description = "The bot's SSH public key (OpenSSH format), the only way into the nodes."
  type        = string

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+) [A-Za-z0-9+/=]+( .*)?$", trimspace(var.ssh_public_key)))
    error_message = "ssh_public_key must be one OpenSSH public key line."
  }
}

variable "ssh_user" {
  description = "User created by cloud-init with the key above and passwordless sudo."
  type        = string
  default     = "labforge"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user)) && var.ssh_user != "root"
    error_message = "ssh_user must be a valid, non-root Linux user name."
  }
}

# --- Proxmox ------------------------------------------------------------------

variable "proxmox_endpoint" {
  description = "Proxmox VE API base URL, e.g. https://pve1.dept.example:8006/ (no /api2/json)."
  type        = string

  validation {
    condition     = can(regex("^https://[^/\\s]+/?$", var.proxmox_endpoint))
    error_message = "proxmox_endpoint must be https://host[:port]/ without a path."
  }
}

variable "proxmox_api_token" {
  description = "API token '<user>@<realm>!<token-id>=<secret>'. Only ever set through TF_VAR_proxmox_api_token."
  type        = string
  sensitive   = true
  # Deliberately no validation block: Terraform 1.11 prints the offending
  # value in a failed validation's diagnostic, sensitive or not, and this one
  # must never reach a log. A malformed token fails at the provider with 401.
}

variable "proxmox_insecure" {
  description = "Skip TLS verification of the Proxmox API (self-signed certificates only)."
  type        = bool
  default     = false
}

variable "proxmox_nodes" {
  description = "Proxmox nodes VMs may be placed on. The first one holds the template."
  type        = list(string)

  validation {
    condition     = length(var.proxmox_nodes) > 0
    error_message = "proxmox_nodes must name at least one node."
  }
}

variable "placement" {
  description = "The Proxmox node of each VM, control plane first (the driver picks them by free memory); empty means round robin over proxmox_nodes."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.placement) == 0 || (length(var.placement) == var.workers + 1 && alltrue([for n in var.placement : contains(var.proxmox_nodes, n)]))
    error_message = "placement must be empty or name one of proxmox_nodes for each of the workers + 1 VMs."
  }
}

variable "vm_ids" {
  description = "Proxmox VM ids of the VMs, control plane first (from infra.proxmox.vmid_range); empty lets Proxmox pick the next free ids."
  type        = list(number)
  default     = []

  validation {
    condition     = length(var.vm_ids) == 0 || (length(var.vm_ids) == var.workers + 1 && length(distinct(var.vm_ids)) == length(var.vm_ids) && alltrue([for id in var.vm_ids : id >= 100 && floor(id) == id]))
    error_message = "vm_ids must be empty or hold workers + 1 distinct VM ids (whole numbers >= 100), control plane first."
  }
}

variable "template_vmid" {
  description = "VMID of the template built by packer/ubuntu-2404-k8s.pkr.hcl."
  type        = number

  validation {
    condition     = var.template_vmid >= 100 && floor(var.template_vmid) == var.template_vmid
    error_message = "template_vmid must be a Proxmox VMID (a whole number >= 100)."
  }
}

variable "datastore" {
  description = "Datastore for the VM disks and cloud-init drives (the template's, for linked clones)."
  type        = string
}

variable "bridge" {
  description = "Network bridge the nodes attach to, e.g. vmbr0."
  type        = string
}

variable "linked_clones" {
  description = "Make linked clones (seconds, copy-on-write) instead of full copies (minutes)."
  type        = bool
  default     = true
}

# --- Power (day-2) --------------------------------------------------------------

variable "started" {
  description = "Whether the VMs run; false powers them off (stop) keeping disks and addresses, true powers them on again."
  type        = bool
  default     = true
}

# --- Kubernetes ---------------------------------------------------------------

variable "kubernetes_version" {
  description = "Kubernetes minor version baked into the template, e.g. \"1.31\"."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version like \"1.31\"."
  }
}

variable "pod_cidr" {
  description = "Pod network CIDR; must not contain any node address."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.pod_cidr))
    error_message = "pod_cidr must be an IPv4 CIDR such as 10.244.0.0/16."
  }
}
