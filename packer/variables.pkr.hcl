# Inputs of ubuntu-2404-k8s.pkr.hcl. Non-secret values go in a *.pkrvars.hcl
# file (see example.pkrvars.hcl); the token secret only ever comes from the
# environment as PKR_VAR_proxmox_token_secret.

# --- Proxmox connection -------------------------------------------------------

variable "proxmox_endpoint" {
  type        = string
  description = "Proxmox VE base URL, e.g. https://pve1.dept.example:8006/ (no /api2/json)."
}

variable "proxmox_token_id" {
  type        = string
  description = "API token id, user@realm!name (e.g. labforge-packer@pve!build)."
}

variable "proxmox_token_secret" {
  type        = string
  description = "Secret half of the token. Set PKR_VAR_proxmox_token_secret; never put it in a file."
  sensitive   = true
}

variable "proxmox_insecure" {
  type        = bool
  description = "Skip TLS verification (self-signed Proxmox certificates only)."
  default     = false
}

variable "proxmox_node" {
  type        = string
  description = "Node that builds and holds the template (list it first in labforge.yaml's infra.proxmox.nodes)."
}

# --- Template VM --------------------------------------------------------------

variable "template_vmid" {
  type        = number
  description = "VMID of the template; infra.proxmox.template_vmid in labforge.yaml."
  default     = 9000
}

variable "template_name" {
  type        = string
  description = "Name of the template VM."
  default     = "labforge-ubuntu-2404-k8s-1.31"
}

variable "iso_file" {
  type        = string
  description = "Ubuntu 24.04 live-server ISO already on Proxmox storage, checksum-verified, e.g. local:iso/ubuntu-24.04.3-live-server-amd64.iso."
}

variable "datastore" {
  type        = string
  description = "Storage for the template disk and cloud-init drive; clones (linked) stay on it."
  default     = "local-lvm"
}

variable "disk_size" {
  type        = string
  description = "Template disk. Clones can only grow, so keep it at or below the smallest labforge size (20G)."
  default     = "12G"
}

variable "bridge" {
  type        = string
  description = "Bridge for the build VM. It needs DHCP and a way to the Ubuntu and Kubernetes package mirrors."
  default     = "vmbr0"
}

variable "vlan_tag" {
  type        = string
  description = "Optional VLAN tag for the build VM (\"\" for none); an isolated build VLAN is best."
  default     = ""
}

# Used only while the template is built and deleted by the last build step;
# see packer/README.md. build_password_hash must be the crypt(3) hash of
# build_password (openssl passwd -6); the defaults match.
variable "build_username" {
  type    = string
  default = "labforge-build"
}

variable "build_password" {
  type    = string
  default = "labforge-build"
}

variable "build_password_hash" {
  type    = string
  default = "$6$4ea1f36bff9240a8$shAmlNlRxCIk.7dSNjwELnz8RQiZes3c4EwFAxh1iUeeWyvs1uiLw58/h.QMXkJS8CT9M8M5FLvQR/JeqYddj."
}

# --- What goes into the image (pinned) ----------------------------------------

variable "kubernetes_version" {
  type        = string
  description = "Exact Kubernetes release baked in (kubeadm, kubelet, kubectl and control-plane images)."
  default     = "1.31.6"
}

variable "kubernetes_package_revision" {
  type        = string
  description = "pkgs.k8s.io Debian revision of those packages."
  default     = "1.1"
}

variable "cri_tools_version" {
  type        = string
  description = "cri-tools (crictl) package version from pkgs.k8s.io."
  default     = "1.31.1-1.1"
}

variable "containerd_version" {
  type        = string
  description = "Ubuntu containerd package version; \"\" takes noble-updates' current one (recorded in /etc/labforge/image-release and held)."
  default     = ""
}

variable "flannel_version" {
  type        = string
  description = "Flannel release whose kube-flannel.yml and images are baked in."
  default     = "0.26.1"
}

variable "flannel_manifest_sha256" {
  type        = string
  description = "Expected SHA-256 of that kube-flannel.yml; \"\" skips the check (the sum is still recorded)."
  default     = ""
}
