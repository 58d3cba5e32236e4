/** Sends a cluster's kubeconfig by direct message, as `<tenant>-<cluster>.kubeconfig` with a two-line quick start. */
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import { sleep } from "../util/sleep.ts";

/** How a kubeconfig delivery went: `closed` means the user's DMs are closed (the file was not sent anywhere). */
export type Delivery = "sent" | "closed" | "missing" | "failed";

/** The attachment name for a cluster's kubeconfig. */
export function kubeconfigFilename(c: Pick<Cluster, "tenant" | "name">): string {
  return `${c.tenant}-${c.name}.kubeconfig`;
}

/** DMs the stored kubeconfig to `identity` and says how it went. */
export async function trySendKubeconfig(app: App, c: Cluster, identity: string): Promise<Delivery> {
  const kubeconfig = await app.kubeconfigs.load(c.id);
  if (!kubeconfig) return "missing";
  const filename = kubeconfigFilename(c);
  const simulated = app.driver.name === "simulated" ? "\n(Simulated infrastructure: the file is well-formed but no cluster answers.)" : "";
  return app.notifier.dmChecked(identity, {
    title: `Kubeconfig for ${c.name} (${c.tenant})`,
    text: `Keep this file private: it gives full admin access to the cluster.${simulated}`,
    code: `export KUBECONFIG=~/Downloads/${filename}\nkubectl get nodes`,
    tone: "success",
  }, { filename, content: kubeconfig });
}

/** Waits between delivery attempts: chat platforms have short outages, and a built cluster is worth a retry. */
const RETRY_DELAYS_MS = [500, 2000];

/**
 * The pipeline's delivery to the owner. A failed DM is tried again; when the owner's DMs are closed, or the DM keeps
 * failing, the cluster is still fine, so instead of failing the run (which would destroy it) the owner is told in the
 * cluster's channel (never with the file) how to get it. Returns how the last attempt went.
 */
export async function sendKubeconfig(app: App, c: Cluster, identity: string): Promise<Delivery> {
  let r = await trySendKubeconfig(app, c, identity);
  for (const delay of RETRY_DELAYS_MS) {
    if (r !== "failed") break;
    await sleep(delay);
    r = await trySendKubeconfig(app, c, identity);
  }
  if (r === "sent" || r === "missing") return r;
  const why = r === "closed"
    ? "your direct messages are closed to the bot, so the kubeconfig was not sent. Allow direct messages from the bot, then"
    : "the direct message with the kubeconfig could not be sent. Please";
  // Outside an interaction no platform-neutral ephemeral exists (Discord has none), so this is a channel post with no secret in it.
  await app.notifier.post(`cluster:${c.id}`, c.channel, {
    title: `${c.name} is ready, but the kubeconfig could not be sent`,
    text: `${app.directory.label(identity)}: ${why} run /cluster kubeconfig ${c.name}.`,
    tone: "warning",
  });
  app.log.warn({ cluster: c.id, identity, delivery: r }, "kubeconfig not delivered by DM; the owner was told in the channel");
  return r;
}
