/** `kubeconfig <name>`: sends the kubeconfig again, by direct message only. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { done, refuse, refused } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { trySendKubeconfig } from "../clusters/delivery.ts";
import { audit } from "../audit.ts";

const KEEPS_KUBECONFIG: readonly string[] = ["ready", "stopping", "stopped", "starting", "scaling"];

export const kubeconfig: CommandHandler = async (ctx) => {
  const { app, principal } = ctx;
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  const c = found.cluster;
  const allowed = requireOwnerOr(principal, c, "instructor", `get the kubeconfig of ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  // A stopped (or stopping, starting, scaling) cluster keeps its kubeconfig: it works again once the VMs run.
  if (!KEEPS_KUBECONFIG.includes(c.state)) return refuse("cluster.not_ready", `${c.name} is not ready yet (state: ${c.state.replace("_", " ")}); the kubeconfig is sent when it is`);
  const sent = await trySendKubeconfig(app, c, principal.identity);
  await audit(app.db.k, app.clock.now(), { actor: principal, tenant: c.tenant, action: "kubeconfig.send", target: c.name, outcome: sent === "sent" ? "ok" : sent === "closed" ? "failure" : "error" });
  if (sent === "closed") return refuse("dm.closed", `your direct messages are closed to the bot, so the kubeconfig of ${c.name} was not sent (it is never posted in a channel). Allow direct messages from server members, then run /cluster kubeconfig ${c.name} again`);
  if (sent !== "sent") return refuse("kubeconfig.unavailable", `could not send the kubeconfig of ${c.name}; check that you accept direct messages from the bot, then try again`);
  return done({ title: "Sent", text: `The kubeconfig of ${c.name} is in your direct messages.` });
};
