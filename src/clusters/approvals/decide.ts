/** Approve or reject a pending request, by button or by text command; a decision is final. */
import type { App } from "../app.ts";
import type { Request } from "../../db/schema.ts";
import { done, refuse, refused, type Outcome } from "../../kernel/outcome.ts";
import { transact } from "../../db/tx.ts";
import { findLiveCluster, getCluster } from "../repo.ts";
import { reserveAndQueue } from "../reserve.ts";
import { asCheck, move } from "../lifecycle.ts";
import { hasRole, requireRole } from "../../tenants/rbac.ts";
import type { Check } from "../../kernel/outcome.ts";
import type { Principal } from "../../tenants/directory.ts";
import { audit } from "../../audit.ts";
import { formatTime } from "../../util/time.ts";
import { refreshApprovalCards } from "./post.ts";
import { queuePosition } from "../queue-position.ts";

export type Decision = "approve" | "reject";

/** A request reference: `12`, `#12`, or a pending cluster's name. */
export type RequestRef = { id: number } | { name: string };

/** Finds a request by id, or the pending request of a cluster name in `tenant`. */
export async function findRequest(app: App, ref: RequestRef, tenant: string | undefined): Promise<Request | undefined> {
  if ("id" in ref) return app.db.k.selectFrom("requests").selectAll().where("id", "=", ref.id).executeTakeFirst();
  if (!tenant) return undefined;
  const c = await findLiveCluster(app.db.k, tenant, ref.name);
  if (!c) return undefined;
  return app.db.k.selectFrom("requests").selectAll().where("cluster_id", "=", c.id).executeTakeFirst();
}

/** Applies a decision after checking the decider's role, that they are not the requester, and that nobody decided first. */
export async function decide(app: App, p: Principal, r: Request, decision: Decision, reason?: string): Promise<Outcome> {
  const verb = decision === "approve" ? "approve" : "reject";
  const role = requireRole(p, r.tenant, "ta", `${verb} cluster requests`);
  if (!role.ok) return refused(role);
  if (p.identities.includes(r.requester)) return refuse("approval.own_request", `you cannot ${verb} your own request; another instructor or TA of ${r.tenant} must decide`);
  if (r.state !== "pending") return alreadyDecided(app, r);
  const cluster = await getCluster(app.db.k, r.cluster_id);
  if (!cluster) return refuse("approval.not_found", `request #${r.id} has no cluster`);
  if (decision === "approve") {
    const requester = await app.directory.principal(r.requester);
    if (!hasRole(requester, r.tenant, "student")) {
      return refuse("approval.requester_revoked", `${app.directory.label(r.requester)} no longer has a role in ${r.tenant} that may create clusters, so request #${r.id} cannot be approved`);
    }
  }
  const now = app.clock.now();

  const result = await transact(app.db, async (trx): Promise<Check> => {
    const claimed = await trx.updateTable("requests")
      .set({ state: decision === "approve" ? "approved" : "rejected", decided_by: p.identity, decided_at: now, reason: reason || null })
      .where("id", "=", r.id).where("state", "=", "pending").executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { ok: false, code: "approval.decided", message: "decided meanwhile" };
    const decided = decision === "approve"
      ? await reserveAndQueue(app, trx, cluster, "approve")
      : asCheck(await move(trx, cluster.id, "reject", now, { failure: `Rejected by ${app.directory.label(p.identity)}${reason ? `: ${reason}` : ""}` }));
    if (decided.ok) await audit(trx, now, { actor: p, tenant: r.tenant, action: `request.${verb}`, target: cluster.name, detail: reason || null });
    return decided;
  }, (c) => c.ok);

  if (!result.ok) {
    if (result.code === "approval.decided") {
      const fresh = await app.db.k.selectFrom("requests").selectAll().where("id", "=", r.id).executeTakeFirstOrThrow();
      return alreadyDecided(app, fresh);
    }
    await audit(app.db.k, now, { actor: p, tenant: r.tenant, action: `request.${verb}`, target: cluster.name, outcome: "failure", detail: result.code });
    return refuse(result.code, `cannot approve request #${r.id} now: ${result.message}`);
  }
  app.jobs.pump();
  refreshApprovalCards(app, r.id);
  app.notifier.clusterChanged(cluster.id);
  const by = app.directory.label(p.identity);
  if (decision === "approve") {
    const position = await queuePosition(app, cluster.id);
    void app.notifier.notify(r.requester, { title: `${cluster.name} was approved`, text: `${by} approved your request #${r.id}. It is queued${position ? ` at position ${position}` : ""}; progress appears in the thread under its message, and the kubeconfig will arrive here.`, tone: "success" });
    return done({ title: `Approved request #${r.id}`, text: `${cluster.name} (${cluster.tenant}) is queued${position ? ` at position ${position}` : ""}.`, tone: "success" });
  }
  void app.notifier.notify(r.requester, { title: `${cluster.name} was rejected`, text: `${by} rejected your request #${r.id}${reason ? `: ${reason}` : "."}`, tone: "warning" });
  return done({ title: `Rejected request #${r.id}`, text: `${cluster.name} (${cluster.tenant}) will not be built. The requester has been told.`, tone: "warning" });
}

function alreadyDecided(app: App, r: Request): Outcome {
  const by = r.decided_by ? ` by ${app.directory.label(r.decided_by)}` : "";
  const when = r.decided_at ? ` at ${formatTime(r.decided_at)}` : "";
  return refuse("approval.decided", `request #${r.id} was already ${r.state}${by}${when}`);
}
