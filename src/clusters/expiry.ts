/**
 * Expiry, driven by the core's sweep and its clock: a reminder DM 24h before `expires_at` (once per expiry,
 * recorded in `reminded_at`), and at `expires_at` the cluster becomes `expired` and gets a destroy job.
 * Both are decided from stored columns, so a restart catches up on whatever fell due while the bot was down.
 */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import { audit } from "../audit.ts";
import { formatTime } from "../util/time.ts";
import { abortMoot, startDestroy } from "./delete.ts";
import { transact } from "../db/tx.ts";
import { extendStepOf } from "./extend.ts";
import { expiredCard, reminderCard, REMIND_BEFORE_MS } from "./expiry-card.ts";

/** What one sweep did, for tests and logs. */
export interface ExpirySweep {
  reminded: string[];
  expired: string[];
}

/**
 * Expires overdue clusters, then sends the reminders that are due. `bootAt` is when this process first swept:
 * a cluster whose expiry lies before it expired while labforge was not running, and its owner is told so.
 */
export async function sweepExpiry(app: App, bootAt: number): Promise<ExpirySweep> {
  const expired: string[] = [];
  const reminded: string[] = [];
  const now = app.clock.now();
  const overdue = await app.db.k.selectFrom("clusters").selectAll()
    .where("state", "in", ["ready", "stopped"]).where("expires_at", "<=", now).orderBy("expires_at").execute();
  for (const c of overdue) if (await expire(app, c, c.expires_at! < bootAt)) expired.push(c.id);

  const due = await app.db.k.selectFrom("clusters").selectAll()
    .where("state", "in", ["ready", "stopped"]).where("reminded_at", "is", null)
    .where("expires_at", ">", now).where("expires_at", "<=", now + REMIND_BEFORE_MS).orderBy("expires_at").execute();
  for (const c of due) if (await remind(app, c, now)) reminded.push(c.id);
  if (expired.length > 0) app.jobs.pump();
  return { reminded, expired };
}

/** Claims the reminder (so it goes out once even if sweeps overlap), then DMs the owner. */
async function remind(app: App, c: Cluster, now: number): Promise<boolean> {
  const claimed = await app.db.k.updateTable("clusters").set({ reminded_at: now })
    .where("id", "=", c.id).where("state", "in", ["ready", "stopped"]).where("reminded_at", "is", null).where("expires_at", "=", c.expires_at).executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return false;
  const tenant = tenantConfig(app.config, c.tenant);
  const step = tenant ? extendStepOf(tenant) : 0;
  const ref = await app.notifier.notify(c.owner, reminderCard(c, now, step));
  // Not sent again on failure: a DM that fails once (DMs closed) would fail every sweep until the expiry.
  if (!ref) app.log.warn({ cluster: c.id, owner: c.owner }, "could not send the expiry reminder");
  await audit(app.db.k, now, { actor: "labforge", tenant: c.tenant, action: "cluster.remind", target: c.name, outcome: ref ? "ok" : "error", detail: `expires ${formatTime(c.expires_at!)}` });
  return true;
}

/** Marks the cluster expired and queues its destroy job in one transaction; tells the owner and the thread. */
async function expire(app: App, c: Cluster, whileDown: boolean): Promise<boolean> {
  const now = app.clock.now();
  const note = whileDown ? "expired while labforge was down" : null;
  const started = await transact(app.db, async (trx) => {
    const m = await startDestroy(trx, c, "expire", now);
    if (m.ok) await audit(trx, now, { actor: "labforge", tenant: c.tenant, action: "cluster.expire", target: c.name, detail: note ? `${formatTime(c.expires_at!)}; ${note}` : formatTime(c.expires_at!) });
    return m;
  }, (m) => m.ok);
  if (!started.ok) return false;
  abortMoot(app, c.id);
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "⏰ Expired", text: `Reached its expiry (${formatTime(c.expires_at!)})${whileDown ? " while labforge was not running" : ""}; destroying the VMs.`, tone: "warning" });
  void app.notifier.notify(c.owner, expiredCard(c, whileDown));
  return true;
}
