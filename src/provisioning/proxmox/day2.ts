/**
 * The proxmox driver's day-2 parts: power through Terraform's `started` input, Ready nodes and drains through
 * kubectl on the control plane, and joins with a fresh kubeadm token over SSH. Commands are argv arrays quoted by
 * shellJoin; the join command the control plane prints is checked against kubeadm's format and rebuilt from its parts.
 */
import { join } from "node:path";
import type { Redactor } from "../../util/redact.ts";
import { StepError, type KubectlResult, type NodeInfo, type StepContext } from "../driver.ts";
import { writeFileAtomic } from "./workspace-files.ts";
import { nodeSchema } from "./spec-schema.ts";

/** Checks a list of workers (joining or leaving): valid entries, none of them the control plane. */
export function checkWorkers(nodes: unknown): NodeInfo[] {
  const r = nodeSchema.array().safeParse(nodes);
  if (!r.success || r.data.some((n) => n.role !== "worker")) throw new StepError("invalid worker list: expected worker nodes only");
  return r.data;
}

/** Runs kubectl with `argv` on the control plane. */
export type RemoteKubectl = (argv: string[]) => Promise<KubectlResult>;
/** Runs `argv` (as root when the driver's remote settings say so) on `node`. */
export type RemoteRun = (node: NodeInfo, argv: string[], signal: AbortSignal) => Promise<KubectlResult>;

/** The Terraform file that carries the power state; `*.auto.tfvars.json` is read after terraform.tfvars.json, so it wins. */
export const POWER_VARS = "power.auto.tfvars.json";

/** Records whether the VMs should run; the next terraform apply powers them off or on. */
export async function writePowerVars(workspace: string, running: boolean): Promise<void> {
  await writeFileAtomic(join(workspace, POWER_VARS), JSON.stringify({ started: running }) + "\n");
}

const lastLines = (r: KubectlResult) => (r.stderr || r.stdout).trim().split("\n").slice(-3);

/** Waits (kubectl's own wait, bounded) until every node reports Ready. */
export async function waitNodesReady(kubectl: RemoteKubectl, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
  const r = await kubectl(["wait", "--for=condition=Ready", "node", "--all", "--timeout=300s"]);
  if (r.exitCode !== 0) throw new StepError(`not every node became Ready (kubectl wait exit ${r.exitCode})`, lastLines(r));
  ctx.log(`${nodes.length} node(s) Ready`);
}

/** Drains each leaving worker and deletes it from Kubernetes; one already gone counts as done. */
export async function drainNodes(kubectl: RemoteKubectl, leaving: NodeInfo[], ctx: StepContext): Promise<void> {
  for (const n of leaving) {
    ctx.signal.throwIfAborted();
    ctx.progress(`draining ${n.name}`);
    const drained = await kubectl(["drain", n.name, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=300s"]);
    if (drained.exitCode !== 0 && !/NotFound|not found/.test(drained.stderr)) {
      throw new StepError(`could not drain ${n.name} (kubectl drain exit ${drained.exitCode})`, lastLines(drained));
    }
    const deleted = await kubectl(["delete", "node", n.name, "--ignore-not-found"]);
    if (deleted.exitCode !== 0) throw new StepError(`could not delete node ${n.name} (exit ${deleted.exitCode})`, lastLines(deleted));
    ctx.log(`${n.name} drained and deleted from Kubernetes`);
  }
}

/** `kubeadm join <host:port> --token <id.secret> --discovery-token-ca-cert-hash sha256:<hex>`, as `token create --print-join-command` prints it. */
const JOIN_RE = /^kubeadm join ((?:\d{1,3}\.){3}\d{1,3}:\d{1,5}) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --discovery-token-ca-cert-hash (sha256:[a-f0-9]{64})\s*$/;

/**
 * Joins each new worker: a fresh bootstrap token from the control plane (30 minutes, redacted from every log), then
 * `kubeadm join` on the worker. A worker Kubernetes already lists is skipped, so a resumed step does not join twice.
 */
export async function joinNodes(run: RemoteRun, kubectl: RemoteKubectl, redactor: Redactor, cp: NodeInfo, joining: NodeInfo[], ctx: StepContext): Promise<void> {
  const pending: NodeInfo[] = [];
  for (const n of joining) {
    const known = await kubectl(["get", "node", n.name, "-o", "name"]);
    if (known.exitCode === 0) ctx.log(`${n.name} is already a node`);
    else pending.push(n);
  }
  if (pending.length === 0) return;
  const printed = await run(cp, ["kubeadm", "token", "create", "--ttl", "30m", "--print-join-command"], ctx.signal);
  const m = JOIN_RE.exec(printed.stdout.trim());
  if (printed.exitCode !== 0 || !m) throw new StepError(`kubeadm token create on ${cp.name} failed (exit ${printed.exitCode})`, printed.exitCode !== 0 ? lastLines(printed) : ["unexpected output"]);
  const [, endpoint, token, hash] = m as unknown as [string, string, string, string];
  redactor.add(token, token.split(".")[1]);
  ctx.log(`fresh join token created on ${cp.name}`);
  for (const n of pending) {
    ctx.signal.throwIfAborted();
    ctx.progress(`joining ${n.name}`);
    const r = await run(n, ["kubeadm", "join", endpoint, "--token", token, "--discovery-token-ca-cert-hash", hash, "--node-name", n.name], ctx.signal);
    if (r.exitCode !== 0) throw new StepError(`kubeadm join on ${n.name} failed (exit ${r.exitCode})`, lastLines(r).map((l) => redactor.redact(l)));
    ctx.log(`${n.name} joined`);
  }
}
