/** The guard manifest for a namespace of one cluster, from its tenant's `namespace_policy` and `namespace_defaults`. */
import type { App } from "../clusters/app.ts";
import type { Cluster } from "../db/schema.ts";
import { namespaceGuardManifest } from "./guard-manifest.ts";

/** The manifest, or undefined when the cluster's tenant is no longer in the configuration. */
export function guardManifestFor(app: App, c: Pick<Cluster, "tenant">, ns: string): string | undefined {
  const tenant = app.config.tenants[c.tenant];
  return tenant && namespaceGuardManifest(ns, tenant.namespace_policy, tenant.namespace_defaults);
}

/** One sentence for chat: the Pod Security level and the quota a new namespace got. */
export function guardSummary(app: App, c: Pick<Cluster, "tenant">): string {
  const tenant = app.config.tenants[c.tenant];
  if (!tenant) return "";
  const q = tenant.namespace_defaults.quota;
  return `Pod Security: ${tenant.namespace_policy} (enforced). Quota: ${q.requests_cpu} CPU and ${q.requests_memory} memory requested, ${q.pods} pods.`;
}
