/** Delivers an approval request to the tenant's approval channel, or by DM to its instructors and TAs. */
import { tenantConfig } from "../../config/lookup.ts";
import type { App } from "../app.ts";
import { getCluster } from "../repo.ts";
import { approvalCard } from "./cards.ts";

/** Posts the Approve / Reject card and remembers where, so the cards can be updated after the decision. */
export async function postApprovalCards(app: App, requestId: number): Promise<void> {
  const r = await app.db.k.selectFrom("requests").selectAll().where("id", "=", requestId).executeTakeFirst();
  if (!r || r.card_refs) return;
  const c = await getCluster(app.db.k, r.cluster_id);
  if (!c) return;
  const card = approvalCard(r, c, app.directory.label(r.requester));
  const tenant = tenantConfig(app.config, r.tenant);
  const key = `request:${r.id}`;
  const refs: string[] = [];
  if (tenant?.approval_channel) {
    const ref = await app.notifier.post(key, tenant.approval_channel, card);
    if (ref) refs.push(ref);
  } else {
    const staff = (await app.directory.staffOf(r.tenant)).filter((id) => id !== r.requester);
    if (staff.length === 0) app.log.warn({ tenant: r.tenant }, "no instructors or TAs to approve requests; add some or set approvals: none");
    for (const id of staff) {
      const ref = await app.notifier.dm(id, card);
      if (ref) refs.push(ref);
    }
  }
  await app.db.k.updateTable("requests").set({ card_refs: JSON.stringify(refs) }).where("id", "=", r.id).execute();
}

/** Re-renders every posted card of a request (after a decision, the buttons go). */
export async function refreshApprovalCards(app: App, requestId: number): Promise<void> {
  const r = await app.db.k.selectFrom("requests").selectAll().where("id", "=", requestId).executeTakeFirst();
  if (!r?.card_refs) return;
  const c = await getCluster(app.db.k, r.cluster_id);
  if (!c) return;
  const card = approvalCard(r, c, app.directory.label(r.requester), r.decided_by ? app.directory.label(r.decided_by) : undefined);
  for (const ref of JSON.parse(r.card_refs) as string[]) await app.notifier.update(`request:${r.id}`, ref, card);
}

/** On start: posts cards for pending requests whose cards were never posted (the process died in between). */
export async function postMissingApprovalCards(app: App): Promise<void> {
  const rows = await app.db.k.selectFrom("requests").select("id").where("state", "=", "pending").where("card_refs", "is", null).execute();
  for (const r of rows) await postApprovalCards(app, r.id);
}
