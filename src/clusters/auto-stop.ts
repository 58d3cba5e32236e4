/**
 * Auto-stop, driven by the core's sweep and its clock: a tenant's `auto_stop: { after: 8h, at: "22:00" }` stops a
 * running cluster `after` its last start or at the next `at` in the tenant's timezone, whichever comes first. The
 * owner gets a DM 30 minutes before with a Keep running button. The deadline (`auto_stop_at`) and the warning
 * (`auto_stop_warned_at`) are stored columns, so a restart catches up: a deadline passed while down stops at once.
 */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import type { TenantConfig } from "../config/schema.ts";
import type { Card } from "../kernel/cards.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { audit } from "../audit.ts";
import { describeSpan, formatDuration } from "../config/duration.ts";
import { formatTime } from "../util/time.ts";
import { nextLocalTime } from "../util/local-time.ts";
import { requestStop } from "./power.ts";

/** The owner is warned this long before an auto-stop. */
export const WARN_BEFORE_MS = 30 * 60_000;

/** The next auto-stop: `after` counted from `startedAt`, or the first `at` after `from`, whichever is sooner; undefined without auto_stop. */
export function autoStopDeadline(tenant: TenantConfig, startedAt: number, from = startedAt): number | undefined {
  const a = tenant.auto_stop;
  if (!a) return undefined;
  const candidates: number[] = [];
  if (a.after !== undefined) candidates.push(startedAt + a.after);
  if (a.at !== undefined) candidates.push(nextLocalTime(from, a.at, tenant.timezone));
  return Math.min(...candidates);
}

/** What one sweep did, for tests and logs. */
export interface AutoStopSweep {
  warned: string[];
  stopped: string[];
}

/** Sets missing deadlines, stops clusters whose deadline has come, and warns the owners of those 30 minutes away. */
export async function sweepAutoStop(app: App): Promise<AutoStopSweep> {
  const tenants = Object.entries(app.config.tenants).filter(([, t]) => t.auto_stop).map(([id]) => id);
  const result: AutoStopSweep = { warned: [], stopped: [] };
  if (tenants.length === 0) return result;
  const now = app.clock.now();
  const running = await app.db.k.selectFrom("clusters").selectAll().where("state", "=", "ready").where("tenant", "in", tenants).orderBy("created_at").execute();
  for (const c of running) {
    const tenant = tenantConfig(app.config, c.tenant)!;
    let deadline = c.auto_stop_at;
    if (deadline === null) {
      const started = c.started_at ?? c.ready_at;
      if (started === null) continue;
      deadline = autoStopDeadline(tenant, started)!;
      const set = await app.db.k.updateTable("clusters").set({ auto_stop_at: deadline })
        .where("id", "=", c.id).where("state", "=", "ready").where("auto_stop_at", "is", null).executeTakeFirst();
      if (Number(set.numUpdatedRows) !== 1) continue;
      app.notifier.clusterChanged(c.id);
    }
    if (now >= deadline) {
      const r = await requestStop(app, "labforge", c, `auto-stop (${describe(tenant)})`);
      if (r.ok) {
        result.stopped.push(c.id);
        void app.notifier.notify(c.owner, { title: `${c.name} is being stopped`, text: `Auto-stop (${describe(tenant)}) is powering ${c.name} (${c.tenant}) off. /cluster start ${c.name} powers it on again; nothing on it is lost.`, tone: "info" });
      }
    } else if (now >= deadline - WARN_BEFORE_MS && c.auto_stop_warned_at === null) {
      if (await warn(app, c, tenant, deadline, now)) result.warned.push(c.id);
    }
  }
  return result;
}

/** Claims the warning (once per deadline, even if sweeps overlap), then DMs the owner with Keep running. */
async function warn(app: App, c: Cluster, tenant: TenantConfig, deadline: number, now: number): Promise<boolean> {
  const claimed = await app.db.k.updateTable("clusters").set({ auto_stop_warned_at: now })
    .where("id", "=", c.id).where("state", "=", "ready").where("auto_stop_at", "=", deadline).where("auto_stop_warned_at", "is", null).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return false;
  const ref = await app.notifier.notify(c.owner, warningCard(c, tenant, deadline, now));
  if (!ref) app.log.warn({ cluster: c.id, owner: c.owner }, "could not send the auto-stop warning");
  await audit(app.db.k, now, { actor: "labforge", tenant: c.tenant, action: "cluster.auto_stop_warn", target: c.name, outcome: ref ? "ok" : "error", detail: `stops ${formatTime(deadline)}` });
  return true;
}

/** The warning DM: when the cluster stops, why, and a button to keep it running. */
export function warningCard(c: Pick<Cluster, "id" | "name" | "tenant">, tenant: TenantConfig, deadline: number, now: number): Card {
  return {
    title: `${c.name} stops in ${describeSpan(deadline - now)}`,
    text: `Auto-stop (${describe(tenant)}) powers ${c.name} (${c.tenant}) off at ${formatTime(deadline)}; nothing on it is lost and /cluster start brings it back. Keep running postpones it.`,
    tone: "warning",
    buttons: [{ label: "Keep running", action: "keep_running", value: c.id, style: "primary" }],
  };
}

/** The Keep running button: the owner or staff move the auto-stop to its next deadline after the current one. */
export async function keepRunning(app: App, p: Principal, clusterId: string): Promise<Outcome> {
  const c = await app.db.k.selectFrom("clusters").selectAll().where("id", "=", clusterId).executeTakeFirst();
  if (!c || c.state === "deleted" || c.state === "rejected") return refuse("cluster.not_found", "that cluster no longer exists");
  const allowed = requireOwnerOr(p, c, "ta", `keep ${c.name} running`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "ready") return refuse("cluster.not_ready", `${c.name} is ${c.state.replace("_", " ")}; only a running cluster can be kept running`);
  const tenant = tenantConfig(app.config, c.tenant);
  if (!tenant?.auto_stop || c.auto_stop_at === null) return refuse("auto_stop.none", `${c.name} has no auto-stop coming`);
  const now = app.clock.now();
  // `after` counts again from now; `at` moves to the next one after the deadline just postponed.
  const next = autoStopDeadline(tenant, now, Math.max(now, c.auto_stop_at))!;
  const r = await app.db.k.updateTable("clusters").set({ auto_stop_at: next, auto_stop_warned_at: null, updated_at: now })
    .where("id", "=", c.id).where("state", "=", "ready").where("auto_stop_at", "=", c.auto_stop_at).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return refuse("cluster.changed", `${c.name} changed meanwhile; look at /cluster status ${c.name}`);
  await audit(app.db.k, now, { actor: p, tenant: c.tenant, action: "cluster.keep_running", target: c.name, detail: `${formatTime(c.auto_stop_at)} → ${formatTime(next)}` });
  app.notifier.clusterChanged(c.id);
  return done({ title: `${c.name} keeps running`, text: `Auto-stop now stops it at ${formatTime(next)} (in ${describeSpan(next - now)}).`, tone: "success" });
}

function describe(tenant: TenantConfig): string {
  const a = tenant.auto_stop!;
  return [a.after !== undefined ? `${formatDuration(a.after)} after a start` : "", a.at ? `at ${a.at} ${tenant.timezone}` : ""].filter(Boolean).join(", or ");
}
