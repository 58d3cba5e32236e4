/**
 * Kubeconfig delivery by direct message, as `<tenant>-<cluster>.kubeconfig` with a two-line quick start. The
 * `deliver` job records "sending" before the DM and "sent" after it, so a crash in between sends it at most once
 * more, labelled as sent again after a restart; a delete, or an owner who lost their role, gets nothing.
 */
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import { IDENTITY_RE } from "../config/schema.ts";
import { getCluster } from "./repo.ts";
import { finishStep } from "../jobs/repo.ts";
import { JobCancelled, JobFailure } from "../jobs/errors.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { audit } from "../audit.ts";

/** How a kubeconfig delivery went: `closed` means the user's DMs are closed (the file was not sent anywhere). */
export type Delivery = "sent" | "closed" | "missing" | "failed";

/** The attachment name for a cluster's kubeconfig. */
export function kubeconfigFilename(c: Pick<Cluster, "tenant" | "name">): string {
  return `${c.tenant}-${c.name}.kubeconfig`;
}

/** DMs the stored kubeconfig to `identity` and says how it went; `again` labels a resend after a restart. */
export async function trySendKubeconfig(app: App, c: Cluster, identity: string, again = false): Promise<Delivery> {
  const kubeconfig = await app.kubeconfigs.load(c.id);
  if (!kubeconfig) return "missing";
  const filename = kubeconfigFilename(c);
  const simulated = app.driver.name === "simulated" ? "\n(Simulated infrastructure: the file is well-formed but no cluster answers.)" : "";
  const resent = again ? "\nSent again after a restart: labforge stopped while sending it, so you may have this file twice." : "";
  return app.notifier.dmChecked(identity, {
    title: `Kubeconfig for ${c.name} (${c.tenant})`,
    text: `Keep this file private: it gives full admin access to the cluster.${simulated}${resent}`,
    code: `export KUBECONFIG=~/Downloads/${filename}\nkubectl get nodes`,
    tone: "success",
  }, { filename, content: kubeconfig });
}

/** The runner for deliver jobs (payload `{ identity }`): the kubeconfig DM that follows a cluster becoming ready. */
export function deliverRunner(app: App): JobRunner {
  return async (job) => {
    const identity = (JSON.parse(job.payload ?? "{}") as { identity?: unknown }).identity;
    if (typeof identity !== "string" || !IDENTITY_RE.test(identity)) throw new JobFailure("the delivery names no valid recipient");
    const c = await getCluster(app.db.k, job.cluster_id);
    // A delete wins: a cluster that is not ready any more gets no kubeconfig sent.
    if (!c || c.state !== "ready") throw new JobCancelled(`not sent: the cluster is ${c?.state ?? "gone"}`);
    const p = await app.directory.principal(identity);
    if (!p.admin && !p.roles.has(c.tenant)) {
      await audit(app.db.k, app.clock.now(), { actor: "labforge", tenant: c.tenant, action: "kubeconfig.send", target: c.name, outcome: "failure", detail: `${identity} has no role in ${c.tenant}` });
      throw new JobCancelled(`not sent: ${identity} has no role in ${c.tenant}`);
    }
    if (job.last_step === "sent") return; // sent before a crash; only the job's end was not recorded
    if (job.last_step === "resending") {
      // Two crashes while sending: never a third copy. Say how to get it instead.
      await tellInChannel(app, c, identity, "unconfirmed");
      return;
    }
    const again = job.last_step === "sending";
    await finishStep(app.db.k, job, again ? "resending" : "sending");
    const r = await trySendKubeconfig(app, c, identity, again);
    if (r === "sent") {
      await finishStep(app.db.k, job, "sent");
      app.notifier.thread(c.id, { title: "✓ Sending kubeconfig", text: `kubeconfig sent to the owner by direct message${again ? " (again, after a restart)" : ""}`, tone: "info" }, { routine: true });
      return;
    }
    if (r === "missing") throw new JobFailure("no kubeconfig was stored for this cluster");
    // Known not delivered, so the next attempt is a first send, not a maybe-repeat.
    await finishStep(app.db.k, job, null);
    if (r === "failed" && job.attempts < job.max_attempts) throw new JobFailure("the direct message could not be sent", { retryable: true });
    await tellInChannel(app, c, identity, r);
  };
}

/**
 * When the owner's DMs are closed, or the DM keeps failing, the cluster is still fine: the owner is told in the
 * cluster's channel (never with the file) how to get it. Outside an interaction no platform-neutral ephemeral exists.
 */
async function tellInChannel(app: App, c: Cluster, identity: string, why: "closed" | "failed" | "unconfirmed"): Promise<void> {
  const text = why === "closed"
    ? "your direct messages are closed to the bot, so the kubeconfig was not sent. Allow direct messages from the bot, then"
    : why === "failed" ? "the direct message with the kubeconfig could not be sent. Please"
    : "labforge restarted twice while sending the kubeconfig, so it may not have arrived. If it did not,";
  await app.notifier.post(`cluster:${c.id}`, c.channel, {
    title: `${c.name} is ready, but the kubeconfig could not be sent`,
    text: `${app.directory.label(identity)}: ${text} run /cluster kubeconfig ${c.name}.`,
    tone: "warning",
  });
  const summary = why === "closed" ? "the owner's direct messages are closed; they were told in the channel how to get the kubeconfig"
    : "the direct message could not be confirmed; the owner was told in the channel how to get the kubeconfig";
  app.notifier.thread(c.id, { title: "✓ Sending kubeconfig", text: summary, tone: "warning" });
  app.log.warn({ cluster: c.id, identity, delivery: why }, "kubeconfig not delivered by DM; the owner was told in the channel");
}
