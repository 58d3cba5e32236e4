/** Retry of a failed cluster: a new provision attempt (or, after a failed delete, the delete again). */
import { sql } from "kysely";
import type { App } from "../core/app.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../core/outcome.ts";
import { requireOwnerOr, type Check } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { latestJob } from "../jobs/repo.ts";
import { audit } from "../audit.ts";
import { getCluster } from "./repo.ts";
import { reserveAndQueue } from "./reserve.ts";
import { confirmDelete } from "./delete.ts";

/** Queues a failed cluster again, re-checking quotas and reserving IPs like an approval does. */
export async function retryCluster(app: App, p: Principal, clusterId: string): Promise<Outcome> {
  const c = await getCluster(app.db.k, clusterId);
  if (!c) return refuse("cluster.not_found", "that cluster no longer exists");
  const allowed = requireOwnerOr(p, c, "ta", `retry ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "failed") return refuse("cluster.not_failed", `${c.name} is ${c.state.replace("_", " ")}, so there is nothing to retry`);
  if ((await latestJob(app.db.k, c.id))?.kind === "destroy") return confirmDelete(app, p, c.id);
  const result = await transact(app.db, async (trx): Promise<Check> => {
    const n = await trx.selectFrom("jobs").select(sql<number>`count(*)`.as("n")).where("cluster_id", "=", c.id).where("kind", "=", "provision").executeTakeFirstOrThrow();
    return reserveAndQueue(app, trx, c, Number(n.n) + 1);
  }, (r) => r.ok);
  const now = app.clock.now();
  await audit(app.db.k, now, { actor: p.identity, tenant: c.tenant, action: "cluster.retry", target: c.name, outcome: result.ok ? "ok" : "failure", detail: result.ok ? null : result.code });
  if (!result.ok) return refuse(result.code, result.message);
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "↻ Retrying", text: `${app.directory.label(p.identity)} queued a new attempt.` });
  app.jobs.pump();
  return done({ title: `Retrying ${c.name}`, text: "It is queued again; progress appears in its thread." });
}
