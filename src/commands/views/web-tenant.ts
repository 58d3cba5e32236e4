/** The staff page of one tenant: clusters, pending requests, the queue, quota usage and (instructors) the audit log. */
import type { App } from "../../clusters/app.ts";
import type { Principal } from "../../tenants/directory.ts";
import type { AuditFilter, AuditView, QuotaLine, RequestView, SessionView, TenantView, WebRead } from "../../kernel/web-port.ts";
import { sessionClusters } from "../../clusters/class-repo.ts";
import { countedClusters, stateCounts } from "../../clusters/class-card.ts";
import { STATE_TEXT } from "../../clusters/render.ts";
import { formatZoned } from "../../util/local-time.ts";
import { tenantConfig } from "../../config/lookup.ts";
import { hasRole, requireRole } from "../../tenants/rbac.ts";
import { usageOf } from "../../clusters/quota.ts";
import { shapeOf } from "../../clusters/render.ts";
import { clusterViews, queueSnapshot } from "./web-clusters.ts";

const QUOTA_KEYS = ["clusters", "nodes", "vcpus", "memory_gb"] as const;
const AUDIT_SHOWN = 100;
// Filter values are matched exactly; they must look like what the log holds (identities, dotted actions, names).
const FILTER_RE = /^[A-Za-z0-9:._@#-]{1,100}$/;

/** Usage of a tenant against each quota (no limit = unlimited). */
export async function quotaLines(app: App, tenant: string): Promise<QuotaLine[]> {
  const usage = await usageOf(app.db.k, tenant);
  const quota = tenantConfig(app.config, tenant)!.quota;
  return QUOTA_KEYS.map((key) => ({ key, used: Math.round(usage[key] * 10) / 10, limit: quota[key] }));
}

/** Checks audit filters; the first bad one is named. */
export function checkAuditFilter(f: AuditFilter): { ok: true } | { ok: false; code: string; message: string } {
  for (const [key, value] of Object.entries(f)) {
    if (value !== undefined && value !== "" && !FILTER_RE.test(value)) return { ok: false, code: "usage", message: `${key} must be letters, digits and :._@#- (at most 100), like slack:U0ADA or cluster.delete` };
  }
  return { ok: true };
}

async function auditViews(app: App, tenant: string, f: AuditFilter): Promise<AuditView[]> {
  let q = app.db.k.selectFrom("audit").selectAll().where("tenant", "=", tenant);
  if (f.actor) q = q.where("actor", "=", f.actor);
  if (f.action) q = q.where("action", "=", f.action);
  if (f.target) q = q.where("target", "=", f.target);
  if (f.source) q = q.where("source", "=", f.source);
  const rows = await q.orderBy("id", "desc").limit(AUDIT_SHOWN).execute();
  return rows.map((r) => ({
    at: r.at, actor: r.actor, action: r.action, target: r.target ?? undefined, outcome: r.outcome,
    detail: r.detail ? app.redactor.redact(r.detail) : undefined, source: r.source ?? undefined,
  }));
}

/** The tenant's active class sessions, each with every student's cluster. */
async function sessionViews(app: App, tenant: string, zone: string): Promise<SessionView[]> {
  const sessions = await app.db.k.selectFrom("class_sessions").selectAll().where("tenant", "=", tenant).where("state", "=", "active")
    .orderBy("created_at", "desc").limit(20).execute();
  const out: SessionView[] = [];
  for (const s of sessions) {
    const clusters = countedClusters(await sessionClusters(app.db.k, s.id));
    out.push({
      name: s.name, startsAt: s.starts_at, startsAtText: formatZoned(s.starts_at, zone), summary: stateCounts(clusters),
      ready: clusters.filter((c) => c.state === "ready").length, total: clusters.length,
      clusters: clusters.map((c) => ({ name: c.name, ownerLabel: app.directory.label(c.owner), state: c.state, stateText: STATE_TEXT[c.state] })),
    });
  }
  return out;
}

/** The tenant page for a TA or above of that tenant; anyone else is refused, as `list all` would refuse them. */
export async function tenantView(app: App, p: Principal, tenant: string, filter: AuditFilter = {}): Promise<WebRead<TenantView>> {
  const cfg = app.directory.hasTenant(tenant) ? tenantConfig(app.config, tenant) : undefined;
  if (!cfg) return { ok: false, code: "tenant.unknown", message: `there is no tenant ${tenant}` };
  const role = requireRole(p, tenant, "ta", `see the staff page of ${tenant}`);
  if (!role.ok) return role;
  const checked = checkAuditFilter(filter);
  if (!checked.ok) return checked;
  const pending = await app.db.k.selectFrom("requests").innerJoin("clusters", "clusters.id", "requests.cluster_id")
    .selectAll("clusters")
    .select(["requests.id as request_id", "requests.cluster_id", "requests.requester", "requests.created_at as requested_at", "requests.lapses_at"])
    .where("requests.state", "=", "pending").where("requests.tenant", "=", tenant).orderBy("requests.id").limit(100).execute();
  const requests: RequestView[] = pending.map((r) => ({
    id: r.request_id, clusterId: r.cluster_id, cluster: r.name, tenant, requester: r.requester,
    requesterLabel: app.directory.label(r.requester), shape: shapeOf(r), createdAt: r.requested_at, lapsesAt: r.lapses_at,
  }));
  const { entries } = await queueSnapshot(app);
  return {
    ok: true,
    value: {
      tenant, name: cfg.name,
      clusters: await clusterViews(app, p, { tenant }),
      sessions: await sessionViews(app, tenant, cfg.timezone),
      requests,
      queue: entries.filter((e) => e.tenant === tenant),
      quota: await quotaLines(app, tenant),
      audit: hasRole(p, tenant, "instructor") ? await auditViews(app, tenant, filter) : undefined,
    },
  };
}
