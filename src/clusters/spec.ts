/** Builds the driver's ClusterSpec from a cluster record, its IPs and the configuration. */
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import { ipsOf } from "../ippool/pool.ts";
import type { ClusterSpec } from "../provisioning/driver.ts";

/** The non-secret description of a cluster that drivers work from. */
export async function specOf(app: App, c: Cluster): Promise<ClusterSpec> {
  const { network, infra } = app.config;
  return {
    id: c.id, tenant: c.tenant, name: c.name, workers: c.workers,
    vcpus: c.vcpus, memoryMb: c.memory_mb, diskGb: c.disk_gb,
    ips: await ipsOf(app.db.k, c.id),
    prefix: network.prefix, gateway: network.gateway, dns: network.dns,
    kubernetesVersion: infra.kubernetes.version, podCidr: infra.kubernetes.pod_cidr,
  };
}
