/** Moving a ready cluster's expiry: the owner up to `max_ttl` from now, instructors and admins beyond it; nobody past `max_lifetime`. */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import type { TenantConfig } from "../config/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { hasRole, requireOwnerOr } from "../tenants/rbac.ts";
import { formatDuration, describeSpan } from "../config/duration.ts";
import { formatTime } from "../util/time.ts";
import { audit } from "../audit.ts";
import { REMIND_BEFORE_MS } from "./expiry-card.ts";

const DEFAULT_EXTEND_STEP_MS = 7 * 86_400_000;

/** How far the reminder's Extend button moves the expiry: `limits.extend_step`, else 7d, never more than max_ttl. */
export function extendStepOf(tenant: TenantConfig): number {
  return tenant.limits.extend_step ?? Math.min(DEFAULT_EXTEND_STEP_MS, tenant.limits.max_ttl);
}

/**
 * Adds `byMs` to the cluster's expiry. Past `max_ttl` from now, an owner without the instructor role is
 * refused (`capAtMax: false`, the text command) or stopped at the cap (`capAtMax: true`, the button).
 */
export async function extendCluster(app: App, p: Principal, c: Cluster, byMs: number, capAtMax: boolean): Promise<Outcome> {
  const allowed = requireOwnerOr(p, c, "instructor", `extend ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  // A stopped cluster keeps its expiry, so it can be extended too.
  if ((c.state !== "ready" && c.state !== "stopped") || c.expires_at === null) {
    return refuse(c.state === "expired" || c.state === "deleting" || c.state === "deleted" ? "cluster.expired" : "cluster.not_ready",
      `${c.name} is ${c.state.replace("_", " ")}; only a ready or stopped cluster can be extended`);
  }
  const tenant = tenantConfig(app.config, c.tenant);
  if (!tenant) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured`);
  const now = app.clock.now();
  const cap = now + tenant.limits.max_ttl;
  // Nobody, instructors included, keeps a cluster past max_lifetime from its creation (kubeadm's certificates are the hard limit).
  const lifetimeCap = c.created_at + tenant.limits.max_lifetime;
  let target = Math.min(Math.max(c.expires_at, now) + byMs, lifetimeCap);
  if (target <= c.expires_at) {
    await audit(app.db.k, now, { actor: p, tenant: c.tenant, action: "cluster.extend", target: c.name, outcome: "failure", detail: `+${formatDuration(byMs)}: limits.max_lifetime` });
    return refuse("limits.max_lifetime", `${c.name} already expires ${formatTime(c.expires_at)}, the end of its lifetime: ${c.tenant} keeps clusters at most ${formatDuration(tenant.limits.max_lifetime)} from their creation. Create a new cluster to go on.`);
  }
  const beyond = target > cap;
  if (beyond && !hasRole(p, c.tenant, "instructor")) {
    if (!capAtMax || cap <= c.expires_at) {
      await audit(app.db.k, now, { actor: p, tenant: c.tenant, action: "cluster.extend", target: c.name, outcome: "failure", detail: `+${formatDuration(byMs)}: limits.max_ttl` });
      return refuse("limits.max_ttl", `owners in ${c.tenant} may keep a cluster at most ${formatDuration(tenant.limits.max_ttl)} from now (until ${formatTime(cap)}); ${c.name} expires ${formatTime(c.expires_at)}. Ask an instructor to extend it further.`);
    }
    target = cap;
  }
  // A reminder is due again before the new expiry, unless that moment has already passed (the owner just acted).
  const remindedAt = target - REMIND_BEFORE_MS > now ? null : now;
  const r = await app.db.k.updateTable("clusters").set({ expires_at: target, reminded_at: remindedAt, updated_at: now })
    .where("id", "=", c.id).where("state", "=", c.state).where("expires_at", "=", c.expires_at).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return refuse("cluster.changed", `${c.name} changed meanwhile; look at /cluster status ${c.name}`);
  await audit(app.db.k, now, {
    actor: p, tenant: c.tenant, action: "cluster.extend", target: c.name,
    detail: `${formatTime(c.expires_at)} → ${formatTime(target)}${beyond && target > cap ? " (beyond max_ttl)" : ""}`,
  });
  app.notifier.clusterChanged(c.id);
  if (!p.identities.includes(c.owner)) {
    void app.notifier.notify(c.owner, { title: `${c.name} was extended`, text: `${app.directory.label(p.identity)} moved the expiry of ${c.name} (${c.tenant}) to ${formatTime(target)}.`, tone: "info" });
  }
  const capped = target === lifetimeCap ? ` That is the end of its lifetime (${formatDuration(tenant.limits.max_lifetime)} from its creation).`
    : target === cap && beyond ? ` That is the most ${c.tenant} allows (${formatDuration(tenant.limits.max_ttl)} from now).` : "";
  return done({ title: `${c.name} now expires ${formatTime(target)}`, text: `In ${describeSpan(target - now)}.${capped}`, tone: "success" });
}
