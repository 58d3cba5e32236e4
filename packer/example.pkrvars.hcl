# Copy to a local *.pkrvars.hcl (not committed) and adjust. The token secret is
# not here: export PKR_VAR_proxmox_token_secret=... before `packer build`.

proxmox_endpoint = "https://pve1.dept.example:8006/"
proxmox_token_id = "labforge-packer@pve!build"
proxmox_insecure = false
proxmox_node     = "pve1"

template_vmid = 9000
template_name = "labforge-ubuntu-2404-k8s-1.31"
iso_file      = "local:iso/ubuntu-24.04.3-live-server-amd64.iso"
datastore     = "local-lvm"
bridge        = "vmbr0"
vlan_tag      = ""

kubernetes_version          = "1.31.6"
kubernetes_package_revision = "1.1"
cri_tools_version           = "1.31.1-1.1"
flannel_version             = "0.26.1"
