/** `list [mine|all] [tenant=…]`: students see their own clusters, TAs and up the tenant's. */
import type { CommandHandler } from "./context.ts";
import { tenantOf } from "./context.ts";
import { done, refuse, refused } from "../kernel/outcome.ts";
import { hasRole, requireRole } from "../tenants/rbac.ts";
import { LIVE_STATES } from "../clusters/repo.ts";
import { clusterLine } from "../clusters/render.ts";

export const list: CommandHandler = async (ctx) => {
  const { app, principal, cmd } = ctx;
  const t = tenantOf(ctx);
  if (!t.ok) return t.outcome;
  const role = requireRole(principal, t.tenant, "viewer", `list clusters of ${t.tenant}`);
  if (!role.ok) return refused(role);
  const staff = hasRole(principal, t.tenant, "ta");
  const scope = cmd.args.scope ?? (staff ? "all" : "mine");
  if (scope === "all" && !staff) return refuse("rbac.denied", `only TAs and instructors of ${t.tenant} can list everyone's clusters; try /cluster list mine`);
  let q = app.db.k.selectFrom("clusters").selectAll().where("tenant", "=", t.tenant).where("state", "in", LIVE_STATES);
  if (scope === "mine") q = q.where("owner", "in", principal.identities);
  const rows = await q.orderBy("created_at").limit(100).execute();
  const title = scope === "mine" ? `Your clusters in ${t.tenant}` : `Clusters in ${t.tenant}`;
  if (rows.length === 0) return done({ title, text: scope === "mine" ? "You have none. Try /cluster create lab1" : "None." });
  return done({ title, code: rows.map((c) => clusterLine(c, scope === "all")).join("\n") });
};
