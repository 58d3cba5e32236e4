/** `quota [tenant=…]`: the tenant's usage against every quota and limit; staff also see per-person counts. */
import { tenantConfig } from "../config/lookup.ts";
import type { CommandHandler } from "./context.ts";
import { tenantOf } from "./context.ts";
import { done, refused } from "../kernel/outcome.ts";
import { hasRole, requireRole } from "../tenants/rbac.ts";
import { perUserUsage, usageOf, userClusterCount } from "../clusters/quota.ts";
import { formatDuration } from "../config/duration.ts";
import { extendStepOf } from "../clusters/extend.ts";

const QUOTA_KEYS = ["clusters", "nodes", "vcpus", "memory_gb"] as const;

export const quota: CommandHandler = async (ctx) => {
  const { app, principal } = ctx;
  const t = tenantOf(ctx);
  if (!t.ok) return t.outcome;
  const role = requireRole(principal, t.tenant, "viewer", `see the quota of ${t.tenant}`);
  if (!role.ok) return refused(role);
  const tenant = tenantConfig(app.config, t.tenant)!;
  const usage = await usageOf(app.db.k, t.tenant);
  const lines = QUOTA_KEYS.map((k) => {
    const limit = tenant.quota[k];
    const used = Number.isInteger(usage[k]) ? String(usage[k]) : usage[k].toFixed(1);
    return `${k.padEnd(10)} ${used.padStart(5)} of ${limit === undefined ? "unlimited" : limit}`;
  });
  const l = tenant.limits;
  const mine = await userClusterCount(app.db.k, t.tenant, principal.identities);
  lines.push("",
    `max_workers        ${l.max_workers} per cluster`,
    `per_user_clusters  ${l.per_user_clusters} (you hold ${mine})`,
    `default_ttl        ${formatDuration(l.default_ttl)}`,
    `max_ttl            ${formatDuration(l.max_ttl)} (owners can extend up to this from now)`,
    `extend_step        ${formatDuration(extendStepOf(tenant))} (the reminder's Extend button)`);
  if (hasRole(principal, t.tenant, "ta")) {
    const people = await perUserUsage(app.db.k, t.tenant);
    lines.push("", "Per person (clusters / nodes held):");
    if (people.length === 0) lines.push("  nobody holds a cluster");
    for (const u of people) lines.push(`  ${u.owner.padEnd(28)} ${u.clusters} / ${u.nodes}${u.clusters > l.per_user_clusters ? "  (over the limit)" : ""}`);
  }
  return done({ title: `Quota of ${t.tenant} (${tenant.name})`, code: lines.join("\n") });
};
