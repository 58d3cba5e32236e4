/** What a user's home view shows: their clusters, and pending approvals for the tenants they staff. */
import type { App } from "../../clusters/app.ts";
import type { Card } from "../../kernel/cards.ts";
import { LIVE_STATES } from "../../clusters/repo.ts";
import { clusterLine } from "../../clusters/render.ts";
import { approvalCard } from "../../clusters/approvals/cards.ts";
import { hasRole } from "../../tenants/rbac.ts";

const MAX_REQUESTS = 10;

/** Cards for a home tab: the caller's live clusters, then each pending request they may decide. */
export async function homeCards(app: App, identity: string): Promise<Card[]> {
  const p = await app.directory.principal(identity);
  if (!p.admin && p.roles.size === 0) {
    return [{ title: "labforge", text: `You are not in any tenant. Your identity is ${identity}; ask your instructor to add you.`, tone: "warning" }];
  }
  const mine = await app.db.k.selectFrom("clusters").selectAll().where("owner", "in", p.identities).where("state", "in", LIVE_STATES).orderBy("created_at").execute();
  const cards: Card[] = [{
    title: "Your clusters",
    code: mine.length ? mine.map((c) => `${c.tenant}/${clusterLine(c, false)}`).join("\n") : undefined,
    text: mine.length ? undefined : "None yet. Type /cluster create lab1 in your course channel.",
  }];
  const staffed = Object.keys(app.config.tenants).filter((t) => hasRole(p, t, "ta"));
  if (staffed.length === 0) return cards;
  const pending = await app.db.k.selectFrom("requests").selectAll().where("state", "=", "pending").where("tenant", "in", staffed)
    .where("requester", "!=", identity).orderBy("id").limit(MAX_REQUESTS).execute();
  cards.push({ title: "Requests waiting for you", text: pending.length ? undefined : "Nothing to approve." });
  for (const r of pending) {
    const c = await app.db.k.selectFrom("clusters").selectAll().where("id", "=", r.cluster_id).executeTakeFirst();
    if (c) cards.push(approvalCard(r, c, app.directory.label(r.requester)));
  }
  return cards;
}
