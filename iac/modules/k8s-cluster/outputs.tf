output "nodes" {
  description = "The cluster's VMs, control plane first: name, role (control_plane|worker), ip, vmid."
  value = [
    for n in local.nodes : {
      name = n.name
      role = n.role
      ip   = n.ip
      vmid = proxmox_virtual_environment_vm.node[n.name].vm_id
    }
  ]
}
