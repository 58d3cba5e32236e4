/** Managing a class session as a whole: status, extend, delete (one confirmation destroys every cluster). */
import type { App } from "./app.ts";
import type { ClassSession, Cluster } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireRole } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { audit } from "../audit.ts";
import { formatDuration } from "../config/duration.ts";
import { tenantConfig } from "../config/lookup.ts";
import { allowed } from "./lifecycle.ts";
import { abortMoot, startDestroy } from "./delete.ts";
import { extendCluster } from "./extend.ts";
import { getSession, sessionClusters } from "./class-repo.ts";
import { countedClusters, sessionStatusCard } from "./class-card.ts";

function zoneOf(app: App, tenant: string): string {
  return tenantConfig(app.config, tenant)?.timezone ?? "UTC";
}

/** `class status`: the plan, ready / total and every student's cluster with its state. */
export async function sessionStatus(app: App, s: ClassSession): Promise<Outcome> {
  const clusters = await sessionClusters(app.db.k, s.id);
  return done(sessionStatusCard(s, clusters, zoneOf(app, s.tenant), app.clock.now(), (id) => app.directory.label(id)));
}

/**
 * `class extend`: every ready cluster's expiry moves by `byMs` (as an instructor's extend, up to max_lifetime);
 * clusters not ready yet get the longer lifetime when they become ready.
 */
export async function extendSession(app: App, p: Principal, s: ClassSession, byMs: number): Promise<Outcome> {
  const clusters = countedClusters(await sessionClusters(app.db.k, s.id));
  const now = app.clock.now();
  let extended = 0;
  const refusals: string[] = [];
  for (const c of clusters.filter((c) => c.state === "ready")) {
    const r = await extendCluster(app, p, c, byMs, false);
    if (r.ok) extended++;
    else refusals.push(`${c.name}: ${r.message}`);
  }
  // Their expiry is set when they become ready (ready_at + ttl_ms); ttl_ms is outside the state machine.
  const later = await app.db.k.updateTable("clusters").set((eb) => ({ ttl_ms: eb("ttl_ms", "+", byMs), updated_at: now }))
    .where("session_id", "=", s.id).where("state", "in", ["queued", "provisioning"]).executeTakeFirst();
  const waiting = Number(later.numUpdatedRows);
  await app.db.k.updateTable("class_sessions").set((eb) => ({ ttl_ms: eb("ttl_ms", "+", byMs), updated_at: now })).where("id", "=", s.id).execute();
  await audit(app.db.k, now, { actor: p, tenant: s.tenant, action: "class.extend", target: s.name, detail: `+${formatDuration(byMs)}: ${extended} ready, ${waiting} not ready yet` });
  app.notifier.sessionChanged(s.id);
  const text = [
    `${extended} ready cluster${extended === 1 ? "" : "s"} extended by ${formatDuration(byMs)}; their owners were told by direct message.`,
    waiting > 0 ? `${waiting} not ready yet will live ${formatDuration(byMs)} longer once ready.` : "",
    refusals.length > 0 ? `Not extended: ${refusals.join("; ")}` : "",
  ].filter(Boolean).join(" ");
  return done({ title: `${s.name} extended`, text, tone: refusals.length > 0 ? "warning" : "success" });
}

/** The one confirmation `class delete` answers with. */
export function confirmSessionDeleteCard(s: ClassSession, count: number) {
  return {
    title: `Delete class session ${s.name}?`,
    text: `This destroys all ${count} of its cluster${count === 1 ? "" : "s"} (${s.name}-01 …) and everything on them, and frees their IP addresses. It cannot be undone.`,
    tone: "warning" as const,
    buttons: [
      { label: "Delete all", action: "class.delete" as const, value: s.id, style: "danger" as const },
      { label: "Keep it", action: "class.keep" as const, value: s.id },
    ],
  };
}

/** Carries out a confirmed `class delete`: every cluster's `delete` and the session's end, in one transaction. */
export async function confirmSessionDelete(app: App, p: Principal, sessionId: string): Promise<Outcome> {
  const s = await getSession(app.db.k, sessionId);
  if (!s) return refuse("class.not_found", "that class session does not exist");
  const role = requireRole(p, s.tenant, "instructor", `delete class sessions of ${s.tenant}`);
  if (!role.ok) return refused(role);
  if (s.state === "deleted") return refuse("class.deleted", `${s.name} is already deleted`);
  const now = app.clock.now();
  const result = await transact(app.db, async (trx) => {
    const ended = await trx.updateTable("class_sessions").set({ state: "deleted", updated_at: now }).where("id", "=", s.id).where("state", "=", "active").executeTakeFirst();
    if (Number(ended.numUpdatedRows) !== 1) return { ok: false as const, deleted: [] as Cluster[] };
    const deleted: Cluster[] = [];
    for (const c of await sessionClusters(trx, s.id)) {
      if (!allowed(c.state, "delete")) continue; // already deleting, expired (destroying) or gone
      const m = await startDestroy(trx, c, "delete", now);
      if (m.ok) deleted.push(c);
    }
    await audit(trx, now, { actor: p, tenant: s.tenant, action: "class.delete", target: s.name, detail: `${deleted.length} clusters` });
    return { ok: true as const, deleted };
  }, (r) => r.ok);
  if (!result.ok) return refuse("class.deleted", `${s.name} is already deleted`);
  for (const c of result.deleted) {
    abortMoot(app, c.id);
    // Only students who had a cluster hear of it; the others never got one.
    if (c.state === "ready" && !p.identities.includes(c.owner)) {
      void app.notifier.notify(c.owner, { title: `${c.name} is being deleted`, text: `${app.directory.label(p.identity)} deleted the class session ${s.name} (${s.tenant}) and with it your cluster ${c.name}.`, tone: "warning" });
    }
  }
  app.notifier.sessionChanged(s.id);
  return done({ title: `Deleting ${s.name}`, text: `${result.deleted.length} cluster${result.deleted.length === 1 ? " is" : "s are"} being destroyed; the session's message says when all are gone.` });
}

/** The answer to "Keep it": only an instructor of the tenant learns the session's name from the button's id. */
export async function keepSession(app: App, p: Principal, sessionId: string): Promise<Outcome> {
  const s = await getSession(app.db.k, sessionId);
  if (!s || !requireRole(p, s.tenant, "instructor", "keep it").ok) return refuse("class.not_found", "that class session does not exist, or it is not yours to keep");
  return done({ title: "Kept", text: `${s.name} was not deleted.` });
}
