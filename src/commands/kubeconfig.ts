/** `kubeconfig <name>`: sends the kubeconfig again, by direct message only. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { done, refuse, refused } from "../core/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { sendKubeconfig } from "../clusters/deliver.ts";
import { audit } from "../audit.ts";

export const kubeconfig: CommandHandler = async (ctx) => {
  const { app, principal } = ctx;
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  const c = found.cluster;
  const allowed = requireOwnerOr(principal, c, "instructor", `get the kubeconfig of ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "ready") return refuse("cluster.not_ready", `${c.name} is not ready yet (state: ${c.state.replace("_", " ")}); the kubeconfig is sent when it is`);
  const sent = await sendKubeconfig(app, c, principal.identity);
  await audit(app.db.k, app.clock.now(), { actor: principal.identity, tenant: c.tenant, action: "kubeconfig.send", target: c.name, outcome: sent ? "ok" : "error" });
  if (!sent) return refuse("kubeconfig.unavailable", `could not send the kubeconfig of ${c.name}; check that you accept direct messages from the bot, then try again`);
  return done({ title: "Sent", text: `The kubeconfig of ${c.name} is in your direct messages.` });
};
