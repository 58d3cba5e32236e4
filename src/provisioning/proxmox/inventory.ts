/** The Ansible inventory and extra vars for one cluster, built from terraform's node list. */
import { stringify } from "yaml";
import type { ClusterSpec, NodeInfo } from "../driver.ts";

/** inventory.yml: groups control_plane and workers, one host per node, reached at its IP. */
export function inventory(nodes: NodeInfo[], user: string, port: number): string {
  const hosts = (role: NodeInfo["role"]) => Object.fromEntries(nodes.filter((n) => n.role === role).map((n) => [n.name, { ansible_host: n.ip }]));
  return stringify({
    all: {
      vars: { ansible_user: user, ansible_port: port },
      children: { control_plane: { hosts: hosts("control_plane") }, workers: { hosts: hosts("worker") } },
    },
  });
}

/** The playbook's inputs (passed with -e @file, so they win over everything else). */
export function extraVars(spec: ClusterSpec, nodes: NodeInfo[], privateKeyPath: string): Record<string, string> {
  return {
    labforge_tenant: spec.tenant,
    labforge_cluster: spec.name,
    kubernetes_version: spec.kubernetesVersion,
    pod_cidr: spec.podCidr,
    control_plane_ip: nodes[0]!.ip,
    // A path, not the key: the key itself never enters a workspace file.
    ansible_ssh_private_key_file: privateKeyPath,
  };
}
