/**
 * Delivers an approval request to the tenant's approval channel, or by DM to its instructors and TAs, and keeps those
 * cards showing the request as it is (the buttons go after a decision), also across a crash.
 */
import { cardDigest } from "../../chat/digest.ts";
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
  await app.db.k.updateTable("requests").set({ card_refs: JSON.stringify(refs), cards_shown: cardDigest(card) }).where("id", "=", r.id).execute();
}

/**
 * Re-renders every posted card of a request whose cards show something else (after a decision, the buttons go), in
 * the background: a stop waits for it, a failure is logged, and the next start tries again.
 */
export function refreshApprovalCards(app: App, requestId: number): void {
  app.notifier.track(refresh(app, requestId), "approval card refresh");
}

async function refresh(app: App, requestId: number): Promise<void> {
  const r = await app.db.k.selectFrom("requests").selectAll().where("id", "=", requestId).executeTakeFirst();
  if (!r?.card_refs) return;
  const c = await getCluster(app.db.k, r.cluster_id);
  if (!c) return;
  const card = approvalCard(r, c, app.directory.label(r.requester), r.decided_by ? app.directory.label(r.decided_by) : undefined);
  const shown = cardDigest(card);
  if (r.cards_shown === shown) return;
  // The digest is kept only when every card took the update, so a start tries the others again.
  let landed = true;
  for (const ref of JSON.parse(r.card_refs) as string[]) landed = (await app.notifier.update(`request:${r.id}`, ref, card)) && landed;
  if (landed) await app.db.k.updateTable("requests").set({ cards_shown: shown }).where("id", "=", r.id).execute();
}

/** How long after a decision a request's cards are still brought up to date on start. */
const CATCH_UP_DECIDED_MS = 86_400_000;

/**
 * On start: posts cards for pending requests whose cards were never posted (the process died in between), and
 * re-renders those a crash kept from showing a decision made within the last day.
 */
export async function catchUpApprovalCards(app: App): Promise<void> {
  const rows = await app.db.k.selectFrom("requests").select("id").where("state", "=", "pending").where("card_refs", "is", null).execute();
  for (const r of rows) await postApprovalCards(app, r.id);
  const decided = await app.db.k.selectFrom("requests").select("id").where("cards_shown", "is not", null)
    .where("decided_at", ">", app.clock.now() - CATCH_UP_DECIDED_MS).execute();
  for (const r of decided) refreshApprovalCards(app, r.id);
}
