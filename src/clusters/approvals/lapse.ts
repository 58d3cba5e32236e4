/** Requests nobody decided within `approval_timeout` lapse: the cluster is not built and the requester is told. */
import { tenantConfig } from "../../config/lookup.ts";
import type { App } from "../app.ts";
import { audit } from "../../audit.ts";
import { formatDuration } from "../../config/duration.ts";
import { transact } from "../../db/tx.ts";
import { move } from "../lifecycle.ts";
import { refreshApprovalCards } from "./post.ts";

/** Lapses every pending request past its deadline; returns how many lapsed. */
export async function lapseRequests(app: App): Promise<number> {
  const now = app.clock.now();
  const due = await app.db.k.selectFrom("requests").selectAll().where("state", "=", "pending").where("lapses_at", "<=", now).execute();
  let lapsed = 0;
  for (const r of due) {
    const timeout = tenantConfig(app.config, r.tenant)?.approval_timeout ?? r.lapses_at - r.created_at;
    const moved = await transact(app.db, async (trx) => {
      const res = await trx.updateTable("requests").set({ state: "lapsed", decided_at: now })
        .where("id", "=", r.id).where("state", "=", "pending").executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return { ok: false as const };
      const m = await move(trx, r.cluster_id, "lapse", now, { failure: `The request lapsed: nobody decided within ${formatDuration(timeout)}.` });
      if (m.ok) await audit(trx, now, { actor: "labforge", tenant: r.tenant, action: "request.lapse", target: m.cluster.name });
      return m;
    }, (m) => m.ok);
    if (!moved.ok) continue;
    lapsed++;
    const name = moved.cluster.name;
    refreshApprovalCards(app, r.id);
    app.notifier.clusterChanged(r.cluster_id);
    void app.notifier.notify(r.requester, { title: `Request #${r.id} lapsed`, text: `Nobody approved ${name} within ${formatDuration(timeout)}, so it will not be built. Ask your instructor, then request it again.`, tone: "warning" });
  }
  return lapsed;
}
