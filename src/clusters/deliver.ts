/** Sends a cluster's kubeconfig by direct message, as `<tenant>-<cluster>.kubeconfig` with a two-line quick start. */
import type { App } from "../core/app.ts";
import type { Cluster } from "../db/schema.ts";

/** The attachment name for a cluster's kubeconfig. */
export function kubeconfigFilename(c: Pick<Cluster, "tenant" | "name">): string {
  return `${c.tenant}-${c.name}.kubeconfig`;
}

/** DMs the stored kubeconfig to `identity`; false when none is stored or the DM failed. */
export async function sendKubeconfig(app: App, c: Cluster, identity: string): Promise<boolean> {
  const kubeconfig = await app.kubeconfigs.load(c.id);
  if (!kubeconfig) return false;
  const filename = kubeconfigFilename(c);
  const simulated = app.driver.name === "simulated" ? "\n(Simulated infrastructure: the file is well-formed but no cluster answers.)" : "";
  const ref = await app.notifier.dm(identity, {
    title: `Kubeconfig for ${c.name} (${c.tenant})`,
    text: `Keep this file private: it gives full admin access to the cluster.${simulated}`,
    code: `export KUBECONFIG=~/Downloads/${filename}\nkubectl get nodes`,
    tone: "success",
  }, { filename, content: kubeconfig });
  return ref !== undefined;
}
