output "nodes" {
  description = "The cluster's VMs, control plane first: name, role (control_plane|worker), ip, vmid."
  value       = module.cluster.nodes
}
