/** Requests nobody decided within `approval_timeout` lapse: the cluster is not built and the requester is told. */
import type { App } from "../app.ts";
import { audit } from "../../audit.ts";
import { formatDuration } from "../../config/duration.ts";
import { refreshApprovalCards } from "./post.ts";

/** Lapses every pending request past its deadline; returns how many lapsed. */
export async function lapseRequests(app: App): Promise<number> {
  const now = app.clock.now();
  const due = await app.db.k.selectFrom("requests").selectAll().where("state", "=", "pending").where("lapses_at", "<=", now).execute();
  let lapsed = 0;
  for (const r of due) {
    const timeout = app.config.tenants[r.tenant]?.approval_timeout ?? r.lapses_at - r.created_at;
    const changed = await app.db.k.transaction().execute(async (trx) => {
      const res = await trx.updateTable("requests").set({ state: "lapsed", decided_at: now })
        .where("id", "=", r.id).where("state", "=", "pending").executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      await trx.updateTable("clusters").set({ state: "rejected", failure: `The request lapsed: nobody decided within ${formatDuration(timeout)}.`, updated_at: now })
        .where("id", "=", r.cluster_id).where("state", "=", "pending_approval").execute();
      return true;
    });
    if (!changed) continue;
    lapsed++;
    const c = await app.db.k.selectFrom("clusters").select(["name"]).where("id", "=", r.cluster_id).executeTakeFirst();
    await audit(app.db.k, now, { actor: "labforge", tenant: r.tenant, action: "request.lapse", target: c?.name });
    void refreshApprovalCards(app, r.id);
    app.notifier.clusterChanged(r.cluster_id);
    void app.notifier.dm(r.requester, { title: `Request #${r.id} lapsed`, text: `Nobody approved ${c?.name ?? "your cluster"} within ${formatDuration(timeout)}, so it will not be built. Ask your instructor, then request it again.`, tone: "warning" });
  }
  return lapsed;
}
