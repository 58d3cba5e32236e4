/** Deleting a cluster: a pending request is withdrawn at once; anything else gets a destroy job. */
import { sql, type Kysely } from "kysely";
import type { Cluster, ClusterState, Database } from "../db/schema.ts";
import type { App } from "./app.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { enqueueJob } from "../jobs/repo.ts";
import { refreshApprovalCards } from "./approvals/post.ts";
import { audit } from "../audit.ts";
import { getCluster } from "./repo.ts";

// Expired clusters are not here: their destroy job was queued when they expired.
const DELETABLE: readonly ClusterState[] = ["queued", "provisioning", "ready", "failed"];

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
 * Inside `trx`: moves the cluster to `state` (deleting, or expired) if it is in one of `from`, and queues its
 * destroy job (one per attempt); false when the cluster was not in those states.
 */
export async function startDestroy(trx: Kysely<Database>, c: Pick<Cluster, "id" | "tenant" | "owner">, state: "deleting" | "expired",
  from: readonly ClusterState[], now: number): Promise<boolean> {
  const r = await trx.updateTable("clusters").set({ state, updated_at: now }).where("id", "=", c.id).where("state", "in", from).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  const n = await trx.selectFrom("jobs").select(sql<number>`count(*)`.as("n")).where("cluster_id", "=", c.id).where("kind", "=", "destroy").executeTakeFirstOrThrow();
  await enqueueJob(trx, { kind: "destroy", clusterId: c.id, tenant: c.tenant, owner: c.owner, dedupeKey: `destroy:${c.id}:${Number(n.n) + 1}`, now });
  return true;
}

/** Carries out a confirmed delete (`via` notes where it came from, for the audit log); a repeated confirmation is answered, not repeated. */
export async function confirmDelete(app: App, p: Principal, clusterId: string, via?: string): Promise<Outcome> {
  const c = await getCluster(app.db.k, clusterId);
  if (!c || c.state === "deleted" || c.state === "rejected") return refuse("cluster.not_found", `${c?.name ?? "that cluster"} is already gone`);
  const allowed = requireOwnerOr(p, c, "ta", `delete ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state === "deleting") return refuse("cluster.deleting", `${c.name} is already being deleted`);
  // An expired cluster already has its destroy job (queued by the expiry sweep in the same transaction).
  if (c.state === "expired") return refuse("cluster.deleting", `${c.name} expired and is already being destroyed`);
  const now = app.clock.now();

  if (c.state === "pending_approval") {
    const withdrawn = await app.db.k.transaction().execute(async (trx) => {
      const r = await trx.updateTable("clusters").set({ state: "deleted", updated_at: now }).where("id", "=", c.id).where("state", "=", "pending_approval").executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await trx.updateTable("requests").set({ state: "cancelled", decided_by: p.identity, decided_at: now }).where("cluster_id", "=", c.id).where("state", "=", "pending").execute();
      return true;
    });
    if (!withdrawn) return refuse("cluster.changed", `${c.name} changed meanwhile; look at /cluster status ${c.name}`);
    await audit(app.db.k, now, { actor: p.identity, tenant: c.tenant, action: "cluster.delete", target: c.name, detail: "request withdrawn" });
    const req = await app.db.k.selectFrom("requests").select("id").where("cluster_id", "=", c.id).executeTakeFirst();
    if (req) void refreshApprovalCards(app, req.id);
    app.notifier.clusterChanged(c.id);
    return done({ title: `Withdrawn`, text: `The request for ${c.name} was withdrawn; nothing was built.` });
  }

  const started = await app.db.k.transaction().execute((trx) => startDestroy(trx, c, "deleting", DELETABLE, now));
  if (!started) return refuse("cluster.deleting", `${c.name} is already being deleted`);
  await audit(app.db.k, now, { actor: p.identity, tenant: c.tenant, action: "cluster.delete", target: c.name, detail: via ?? null });
  app.notifier.clusterChanged(c.id);
  app.jobs.pump();
  if (p.identity !== c.owner) {
    void app.notifier.dm(c.owner, { title: `${c.name} is being deleted`, text: `${app.directory.label(p.identity)} deleted your cluster ${c.name} (${c.tenant}).`, tone: "warning" });
  }
  return done({ title: `Deleting ${c.name}`, text: "The VMs are being destroyed; the thread under its message says when it is done." });
}
