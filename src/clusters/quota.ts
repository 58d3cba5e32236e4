/** Quota and limit checks: what a tenant uses and whether one more cluster fits. */
import { sql, type Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { TenantConfig } from "../config/schema.ts";
import { failure, OK, type Check } from "../kernel/outcome.ts";
import { PER_USER_STATES, RESOURCE_STATES, RUNNING_STATES } from "./repo.ts";

export interface Usage {
  clusters: number;
  nodes: number;
  vcpus: number;
  memory_gb: number;
}

export interface Shape {
  workers: number;
  vcpus: number;
  memory_mb: number;
}

/** What a shape costs in quota units. */
export function costOf(s: Shape): Usage {
  const nodes = s.workers + 1;
  return { clusters: 1, nodes, vcpus: nodes * s.vcpus, memory_gb: (nodes * s.memory_mb) / 1024 };
}

/**
 * The tenant's current usage over clusters that hold resources, optionally leaving one cluster out. A stopped
 * cluster keeps its VMs and IPs, so it counts in `clusters` and `nodes`, but its vCPUs and memory are free.
 */
export async function usageOf(db: Kysely<Database>, tenant: string, exceptClusterId?: string): Promise<Usage> {
  const running = sql.join(RUNNING_STATES);
  let q = db.selectFrom("clusters")
    .select([
      sql<number>`count(*)`.as("clusters"),
      sql<number>`coalesce(sum(workers + 1), 0)`.as("nodes"),
      sql<number>`coalesce(sum(case when state in (${running}) then (workers + 1) * vcpus else 0 end), 0)`.as("vcpus"),
      sql<number>`coalesce(sum(case when state in (${running}) then (workers + 1) * memory_mb else 0 end), 0) / 1024.0`.as("memory_gb"),
    ])
    .where("tenant", "=", tenant).where("state", "in", RESOURCE_STATES);
  if (exceptClusterId) q = q.where("id", "!=", exceptClusterId);
  const row = await q.executeTakeFirstOrThrow();
  return { clusters: Number(row.clusters), nodes: Number(row.nodes), vcpus: Number(row.vcpus), memory_gb: Number(row.memory_gb) };
}

/** Checks that adding `shape` keeps the tenant within every quota it sets; the failure names the quota and the usage. */
export function checkQuota(tenantId: string, tenant: TenantConfig, usage: Usage, shape: Shape): Check {
  return checkCost(tenantId, tenant, usage, costOf(shape), "this cluster");
}

/** Checks that `cost` more (a start, a scale-up) fits every quota; `what` names it in the failure. */
export function checkCost(tenantId: string, tenant: TenantConfig, usage: Usage, cost: Usage, what: string): Check {
  for (const key of ["clusters", "nodes", "vcpus", "memory_gb"] as const) {
    const limit = tenant.quota[key];
    if (limit === undefined) continue;
    if (usage[key] + cost[key] > limit) {
      return failure(`quota.${key}`,
        `${tenantId} is at its ${key.replace("_", " ")} quota: ${fmt(usage[key])} of ${limit} in use and ${what} needs ${fmt(cost[key])}`);
    }
  }
  return OK;
}

/** How many clusters a person (all their identities) holds in the tenant (for `per_user_clusters`), optionally leaving one out. */
export async function userClusterCount(db: Kysely<Database>, tenant: string, owners: readonly string[], exceptClusterId?: string): Promise<number> {
  let q = db.selectFrom("clusters").select(sql<number>`count(*)`.as("n"))
    .where("tenant", "=", tenant).where("owner", "in", owners).where("state", "in", PER_USER_STATES);
  if (exceptClusterId) q = q.where("id", "!=", exceptClusterId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Checks the per-user cluster limit. */
export function checkPerUser(tenantId: string, tenant: TenantConfig, held: number): Check {
  const max = tenant.limits.per_user_clusters;
  return held + 1 > max
    ? failure("limits.per_user_clusters", `${tenantId} allows ${max} cluster${max === 1 ? "" : "s"} per person and you have ${held}; delete one first`)
    : OK;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export interface PersonUsage {
  owner: string;
  /** Clusters counted against `per_user_clusters` (including pending requests and failed clusters). */
  clusters: number;
  /** Nodes held (clusters that hold hardware). */
  nodes: number;
}

/** Per-person counts in a tenant, most clusters first (for staff in `quota`). */
export async function perUserUsage(db: Kysely<Database>, tenant: string): Promise<PersonUsage[]> {
  const rows = await db.selectFrom("clusters")
    .select([
      "owner",
      sql<number>`sum(case when state in (${sql.join(PER_USER_STATES)}) then 1 else 0 end)`.as("clusters"),
      sql<number>`sum(case when state in (${sql.join(RESOURCE_STATES)}) then workers + 1 else 0 end)`.as("nodes"),
    ])
    .where("tenant", "=", tenant).where("state", "in", [...new Set([...PER_USER_STATES, ...RESOURCE_STATES])])
    .groupBy("owner").execute();
  return rows.map((r) => ({ owner: r.owner, clusters: Number(r.clusters), nodes: Number(r.nodes) }))
    .sort((a, b) => b.clusters - a.clusters || b.nodes - a.nodes || a.owner.localeCompare(b.owner));
}
