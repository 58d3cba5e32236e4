/** Reads the admin kubeconfig from the control plane and points it at the control plane's address. */
import { parseDocument } from "yaml";
import { StepError, type NodeInfo } from "../driver.ts";
import type { RemoteOptions } from "./options.ts";
import { sudoPrefix } from "./kubectl-remote.ts";
import { shellJoin } from "./shell-quote.ts";

/** The command that prints the admin kubeconfig. */
export function catKubeconfigCommand(remote: RemoteOptions): string {
  return shellJoin([...sudoPrefix(remote), "cat", "--", remote.adminKubeconfig]);
}

/**
 * Sets every cluster's server to https://<cp-ip>:6443, the address users can
 * reach. Errors never quote the document: it holds the admin's client key.
 */
export function rewriteServer(text: string, cp: NodeInfo): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new StepError(`the admin kubeconfig on ${cp.name} is not valid YAML`);
  const clusters = doc.get("clusters");
  const items = clusters && typeof clusters === "object" && "items" in clusters ? (clusters.items as unknown[]) : [];
  if (doc.get("kind") !== "Config" || items.length === 0) throw new StepError(`the admin kubeconfig on ${cp.name} has no clusters`);
  for (let i = 0; i < items.length; i++) doc.setIn(["clusters", i, "cluster", "server"], `https://${cp.ip}:6443`);
  return doc.toString();
}
