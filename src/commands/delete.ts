/** `delete <name>`: asks to confirm with a button; the button does the work. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { done, refuse, refused } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { confirmDeleteCard } from "../clusters/delete.ts";

export const del: CommandHandler = async (ctx) => {
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  const c = found.cluster;
  const allowed = requireOwnerOr(ctx.principal, c, "ta", `delete ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state === "deleting") return refuse("cluster.deleting", `${c.name} is already being deleted`);
  if (c.state === "pending_approval") {
    return done({ ...confirmDeleteCard(c), title: `Withdraw the request for ${c.name}?`, text: "Nothing has been built yet." });
  }
  return done(confirmDeleteCard(c));
};
