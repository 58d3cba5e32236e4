/** Whether a whole class session fits the tenant's quota and per-person limit, with the numbers when it does not. */
import type { TenantConfig } from "../config/schema.ts";
import { failure, OK, type Check } from "../kernel/outcome.ts";
import { costOf, type Shape, type Usage } from "./quota.ts";

const LABEL: Record<keyof Usage, string> = { clusters: "clusters", nodes: "nodes", vcpus: "vCPUs", memory_gb: "GB of memory" };

/** Checks `count` clusters of `shape` against every quota the tenant sets: how many fit, and what is short. */
export function checkSessionQuota(tenantId: string, tenant: TenantConfig, usage: Usage, shape: Shape, count: number): Check {
  const cost = costOf(shape);
  for (const key of ["clusters", "nodes", "vcpus", "memory_gb"] as const) {
    const limit = tenant.quota[key];
    if (limit === undefined) continue;
    const need = cost[key] * count;
    if (usage[key] + need <= limit) continue;
    const fit = Math.max(0, Math.floor((limit - usage[key]) / cost[key] + 1e-9));
    return failure(`quota.${key}`,
      `${fit} of these ${count} clusters fit: the session needs ${fmt(need)} ${LABEL[key]}, and ${tenantId} has ${fmt(Math.max(0, limit - usage[key]))} left of its quota of ${limit} (${fmt(usage[key])} in use). Ask for fewer workers or a smaller size, or name fewer students with for=`);
  }
  return OK;
}

/** Checks the per-person limit for every student: `held` is each one's current count; refused naming who is at the limit. */
export function checkSessionPerUser(tenantId: string, tenant: TenantConfig, held: ReadonlyMap<string, number>, label: (id: string) => string): Check {
  const max = tenant.limits.per_user_clusters;
  const full = [...held].filter(([, n]) => n + 1 > max).map(([id]) => id);
  if (full.length === 0) return OK;
  const shown = full.slice(0, 5).map(label).join(", ") + (full.length > 5 ? ` and ${full.length - 5} more` : "");
  return failure("limits.per_user_clusters",
    `${held.size - full.length} of these ${held.size} clusters fit: ${tenantId} allows ${max} cluster${max === 1 ? "" : "s"} per person and ${full.length} of the students already ${full.length === 1 ? "has" : "have"} ${max}: ${shown}. They delete one first, or leave them out with for=`);
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
