/** Deleting a cluster: a pending request is withdrawn at once; anything else is taken over by a destroy job. */
import type { Kysely } from "kysely";
import type { Cluster, Database } from "../db/schema.ts";
import type { App } from "./app.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { cancelQueuedJobs, countJobs, enqueueJob } from "../jobs/repo.ts";
import { transact } from "../db/tx.ts";
import { refreshApprovalCards } from "./approvals/post.ts";
import { audit, type Actor } from "../audit.ts";
import { getCluster } from "./repo.ts";
import { ClusterDeleted, move, type Moved } from "./lifecycle.ts";

/** Jobs a delete makes moot: cancelled while queued, aborted while running. */
export const MOOT_ON_DELETE = ["provision", "cleanup", "deliver", "stop", "start", "scale", "rebuild"] as const;

/** The confirmation card `delete <name>` answers with. */
export function confirmDeleteCard(c: { id: string; name: string; workers: number }) {
  return {
    title: `Delete ${c.name}?`,
    text: `This destroys its ${c.workers + 1} VM${c.workers === 0 ? "" : "s"} and everything on them, and frees their IP addresses. It cannot be undone.`,
    tone: "warning" as const,
    buttons: [
      { label: "Delete", action: "delete.confirm" as const, value: c.id, style: "danger" as const },
      { label: "Keep it", action: "delete.cancel" as const, value: c.id },
    ],
  };
}

/**
 * Inside `trx`: `delete` or `expire`s the cluster, cancels its queued provision, clean-up and delivery jobs and
 * queues its destroy job (one per attempt). After the commit, call `abortMoot` so running ones stop at once.
 */
export async function startDestroy(trx: Kysely<Database>, c: Pick<Cluster, "id" | "tenant" | "owner">, transition: "delete" | "expire", now: number): Promise<Moved> {
  const moved = await move(trx, c.id, transition, now);
  if (!moved.ok) return moved;
  await cancelQueuedJobs(trx, c.id, MOOT_ON_DELETE, now);
  const n = await countJobs(trx, c.id, "destroy");
  await enqueueJob(trx, { kind: "destroy", clusterId: c.id, tenant: c.tenant, owner: c.owner, dedupeKey: `destroy:${c.id}:${n + 1}`, now, maxAttempts: 2 });
  return moved;
}

/** Stops the cluster's running provision, clean-up or delivery now, whatever the free job slots; the destroy job waits for them. */
export function abortMoot(app: App, clusterId: string): void {
  void app.jobs.abortCluster(clusterId, MOOT_ON_DELETE, new ClusterDeleted());
  app.jobs.pump();
}

/** Carries out a confirmed delete (`via` notes where it came from, for the audit log); a repeated confirmation is answered, not repeated. */
export async function confirmDelete(app: App, p: Principal, clusterId: string, via?: string): Promise<Outcome> {
  const c = await getCluster(app.db.k, clusterId);
  // A gone cluster's name is told only to those who could have deleted it: a button's id must not reveal it.
  if (!c || ((c.state === "deleted" || c.state === "rejected") && !requireOwnerOr(p, c, "ta", "delete it").ok)) {
    return refuse("cluster.not_found", "that cluster does not exist, or it is not yours to delete");
  }
  if (c.state === "deleted" || c.state === "rejected") return refuse("cluster.not_found", `${c.name} is already gone`);
  const allowed = requireOwnerOr(p, c, "ta", `delete ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state === "deleting") return refuse("cluster.deleting", `${c.name} is already being deleted`);
  // An expired cluster already has its destroy job (queued by the expiry sweep in the same transaction).
  if (c.state === "expired") return refuse("cluster.deleting", `${c.name} expired and is already being destroyed`);
  const now = app.clock.now();

  if (c.state === "pending_approval") {
    const withdrawn = await withdrawRequest(app, c.id, p, "request withdrawn");
    if (!withdrawn) return refuse("cluster.changed", `${c.name} changed meanwhile; look at /cluster status ${c.name}`);
    return done({ title: `Withdrawn`, text: `The request for ${c.name} was withdrawn; nothing was built.` });
  }

  const started = await transact(app.db, async (trx) => {
    const m = await startDestroy(trx, c, "delete", now);
    if (m.ok) await audit(trx, now, { actor: p, tenant: c.tenant, action: "cluster.delete", target: c.name, detail: via ?? null });
    return m;
  }, (m) => m.ok);
  if (!started.ok) return refuse(started.state === "deleting" ? "cluster.deleting" : "cluster.changed", `${c.name} is ${started.state?.replace("_", " ") ?? "gone"} and cannot be deleted now`);
  abortMoot(app, c.id);
  app.notifier.clusterChanged(c.id);
  if (!p.identities.includes(c.owner)) {
    void app.notifier.notify(c.owner, { title: `${c.name} is being deleted`, text: `${app.directory.label(p.identity)} deleted your cluster ${c.name} (${c.tenant}).`, tone: "warning" });
  }
  return done({ title: `Deleting ${c.name}`, text: "The VMs are being destroyed; the thread under its message says when it is done." });
}

/** Withdraws a pending request (its cluster was never built) and cancels the request; false when it was decided meanwhile. */
export async function withdrawRequest(app: App, clusterId: string, by: Actor, detail: string): Promise<boolean> {
  const now = app.clock.now();
  const moved = await transact(app.db, async (trx) => {
    const m = await move(trx, clusterId, "withdraw", now);
    if (!m.ok) return m;
    await trx.updateTable("requests").set({ state: "cancelled", decided_by: by.identity, decided_at: now }).where("cluster_id", "=", clusterId).where("state", "=", "pending").execute();
    await audit(trx, now, { actor: by, tenant: m.cluster.tenant, action: "cluster.delete", target: m.cluster.name, detail });
    return m;
  }, (m) => m.ok);
  if (!moved.ok) return false;
  const req = await app.db.k.selectFrom("requests").select("id").where("cluster_id", "=", clusterId).executeTakeFirst();
  if (req) refreshApprovalCards(app, req.id);
  app.notifier.clusterChanged(clusterId);
  return true;
}
