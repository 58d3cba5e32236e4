/** The proxmox driver: terraform clones the VMs, ansible makes them a kubeadm cluster, ssh2 fetches the kubeconfig and runs kubectl. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Redactor } from "../../util/redact.ts";
import { removeWorkspace, workspaceOf } from "../workspace.ts";
import { StepError, type ClusterSpec, type InfraDriver, type KubectlResult, type NodeInfo, type StepContext } from "../driver.ts";
import { runPlaybook } from "./ansible-runner.ts";
import { KnownHosts } from "./known-hosts.ts";
import { catKubeconfigCommand, rewriteServer } from "./kubeconfig.ts";
import { kubectlCommand, kubectlStdin } from "./kubectl-remote.ts";
import { resolveOptions, type ProxmoxDriverOptions, type ResolvedOptions } from "./options.ts";
import { checkNodes, checkSpec, controlPlane } from "./spec-schema.ts";
import { runRemote, type SshTarget } from "./ssh-client.ts";
import { loadOrCreateKeyPair, type SshKeyPair } from "./ssh-keys.ts";
import { TerraformRunner } from "./terraform-runner.ts";
import { waitForNodes } from "./wait-ssh.ts";
import { moduleNeedsProxmox, rootModule, tfvars, writeWorkspace } from "./workspace-files.ts";
import { checkWorkers, drainNodes, joinNodes, waitNodesReady, writePowerVars } from "./day2.ts";
import { shellJoin } from "./shell-quote.ts";
import { sudoPrefix } from "./kubectl-remote.ts";

export class ProxmoxDriver implements InfraDriver {
  readonly name = "proxmox" as const;
  private readonly o: ResolvedOptions;
  private readonly terraform: TerraformRunner;
  private keys: Promise<SshKeyPair> | undefined;

  constructor(opts: ProxmoxDriverOptions) {
    const redactor = opts.redactor ?? new Redactor();
    redactor.add(opts.tokenSecret, `${opts.proxmox.token_id}=${opts.tokenSecret}`);
    this.o = resolveOptions(opts, redactor);
    this.terraform = new TerraformRunner(this.o);
  }

  /** Writes the workspace: root module and non-secret inputs (idempotent; state and pins are kept). */
  async prepare(spec: ClusterSpec, ctx: StepContext): Promise<void> {
    await this.writeWorkspace(checkSpec(spec));
    ctx.log(`workspace ready for ${spec.tenant}/${spec.name}`);
  }

  /** terraform init + apply, then the `nodes` output, checked against the cluster's addresses. */
  async apply(spec: ClusterSpec, ctx: StepContext): Promise<NodeInfo[]> {
    const s = checkSpec(spec);
    const ws = await this.writeWorkspace(s); // a resumed job may find the step before it never ran here
    await this.terraform.init(ws, ctx);
    await this.terraform.apply(ws, ctx);
    const nodes = await this.terraform.nodes(ws, ctx);
    if (nodes.map((n) => n.ip).join(",") !== s.ips.join(",")) {
      throw new StepError(`terraform reports nodes at ${nodes.map((n) => n.ip).join(", ")}, expected ${s.ips.join(", ")}`);
    }
    return nodes;
  }

  /** Waits until every node answers SSH with the bot's key, pinning host keys on first contact. */
  async waitForSsh(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    const ws = this.existingWorkspace(spec);
    const key = await this.keyPair();
    const knownHosts = await KnownHosts.load(join(ws, "known_hosts"));
    await waitForNodes(checkNodes(nodes), knownHosts, {
      port: this.o.sshPort, user: this.o.proxmox.ssh_user, privateKey: key.privateKey, attemptTimeoutMs: this.o.sshAttemptTimeoutMs,
    }, ctx);
  }

  /** Runs the playbook (kubeadm init/join) through the workspace's inventory. */
  async configure(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    const s = checkSpec(spec);
    const events = await runPlaybook(this.o, await this.keyPair(), this.existingWorkspace(s), s, checkNodes(nodes), ctx);
    ctx.log(`playbook done: ${events.recap.size} host(s), ${events.changed()} change(s)`);
  }

  /** Reads /etc/kubernetes/admin.conf from the control plane and points it at https://<cp-ip>:6443. */
  async fetchKubeconfig(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<string> {
    const cp = controlPlane(nodes);
    const r = await runRemote(await this.target(cp), await this.knownHosts(spec), catKubeconfigCommand(this.o.remote), {
      timeoutMs: this.o.kubectlTimeoutMs, what: `reading the kubeconfig on ${cp.name}`, signal: ctx.signal,
    });
    if (r.exitCode !== 0) {
      throw new StepError(`could not read ${this.o.remote.adminKubeconfig} on ${cp.name} (exit ${r.exitCode})`, [this.o.redactor.redact(r.stderr.trim().split("\n").slice(-3).join("\n"))]);
    }
    ctx.log(`kubeconfig read from ${cp.name}; server set to https://${cp.ip}:6443`);
    return rewriteServer(r.stdout, cp);
  }

  /** terraform destroy, then the workspace goes; nothing to destroy (no workspace, empty state) is fine. */
  async destroy(spec: ClusterSpec, ctx: StepContext): Promise<void> {
    const ws = workspaceOf(this.o.dataDir, spec.id);
    if (!existsSync(ws)) { ctx.log("no workspace: nothing to destroy"); return; }
    if (await hasResources(ws)) {
      await this.terraform.init(ws, ctx);
      await this.terraform.destroy(ws, ctx);
    } else {
      ctx.log("terraform state is empty: nothing to destroy");
    }
    // Pins and state go with the VMs: a retry builds new VMs with new host keys.
    await removeWorkspace(this.o.dataDir, spec.id);
  }

  /** Runs kubectl on the control plane; argv elements are checked and quoted, never interpreted by the remote shell. */
  async kubectl(spec: ClusterSpec, nodes: NodeInfo[], argv: string[], stdin?: string): Promise<KubectlResult> {
    const built = kubectlCommand(this.o.remote, argv);
    if ("error" in built) throw new Error(built.error);
    const input = kubectlStdin.safeParse(stdin);
    if (!input.success) throw new Error("kubectl input is too large");
    const cp = controlPlane(nodes);
    return runRemote(await this.target(cp), await this.knownHosts(spec), built.command, {
      stdin: input.data, timeoutMs: this.o.kubectlTimeoutMs, what: `kubectl on ${cp.name}`,
    });
  }

  /** Powers the VMs off or on: terraform apply with the module's `started` input set (day2.ts). */
  async power(spec: ClusterSpec, _nodes: NodeInfo[], running: boolean, ctx: StepContext): Promise<void> {
    const ws = await this.writeWorkspace(checkSpec(spec));
    await writePowerVars(ws, running);
    await this.terraform.init(ws, ctx);
    await this.terraform.apply(ws, ctx);
    ctx.log(`VMs powered ${running ? "on" : "off"}`);
  }

  /** Waits until every node reports Ready (kubectl wait on the control plane). */
  async waitForNodesReady(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    await waitNodesReady((argv) => this.kubectl(spec, nodes, argv), checkNodes(nodes), ctx);
  }

  /** Joins new workers with a fresh kubeadm token (day2.ts). */
  async joinWorkers(spec: ClusterSpec, nodes: NodeInfo[], joining: NodeInfo[], ctx: StepContext): Promise<void> {
    const checked = checkNodes(nodes);
    const run = async (node: NodeInfo, argv: string[], signal: AbortSignal) => runRemote(await this.target(node), await this.knownHosts(spec),
      shellJoin([...sudoPrefix(this.o.remote), ...argv]), { timeoutMs: 5 * 60_000, what: `${argv[0]} ${argv[1]} on ${node.name}`, signal });
    await joinNodes(run, (argv) => this.kubectl(spec, checked, argv), this.o.redactor, controlPlane(checked), checkWorkers(joining), ctx);
  }

  /** Drains the leaving workers and deletes them from Kubernetes (day2.ts). */
  async drainWorkers(spec: ClusterSpec, nodes: NodeInfo[], leaving: NodeInfo[], ctx: StepContext): Promise<void> {
    await drainNodes((argv) => this.kubectl(spec, checkNodes(nodes), argv), checkWorkers(leaving), ctx);
  }

  private async writeWorkspace(s: ClusterSpec): Promise<string> {
    const key = await this.keyPair();
    const { moduleDir, moduleInputs, proxmox } = this.o;
    return writeWorkspace(this.o.dataDir, s.id, {
      "main.tf.json": JSON.stringify(rootModule(moduleDir, await moduleNeedsProxmox(moduleDir), moduleInputs), null, 2) + "\n",
      "terraform.tfvars.json": JSON.stringify(tfvars(s, proxmox, key.publicKey), null, 2) + "\n",
    });
  }

  private existingWorkspace(spec: ClusterSpec): string {
    const ws = workspaceOf(this.o.dataDir, spec.id);
    if (!existsSync(ws)) throw new StepError(`the workspace of ${spec.tenant}/${spec.name} is gone; delete the cluster and create it again`);
    return ws;
  }

  private async knownHosts(spec: ClusterSpec): Promise<KnownHosts> {
    return KnownHosts.load(join(this.existingWorkspace(spec), "known_hosts"));
  }

  private async target(node: NodeInfo): Promise<SshTarget> {
    return { node, port: this.o.sshPort, user: this.o.proxmox.ssh_user, privateKey: (await this.keyPair()).privateKey };
  }

  /** The bot's key pair, loaded once; its lines are registered with the redactor. */
  private keyPair(): Promise<SshKeyPair> {
    this.keys ??= loadOrCreateKeyPair(this.o.dataDir).then((k) => {
      this.o.redactor.add(...k.privateKey.toString("utf8").split("\n").filter((l) => !l.startsWith("-----")));
      return k;
    }).catch((e: unknown) => { this.keys = undefined; throw e; });
    return this.keys;
  }
}

/** Whether the workspace's state still holds resources (unreadable state counts as yes: let terraform decide). */
async function hasResources(ws: string): Promise<boolean> {
  let text: string;
  try { text = await readFile(join(ws, "terraform.tfstate"), "utf8"); } catch { return false; }
  try { return ((JSON.parse(text) as { resources?: unknown[] }).resources ?? []).length > 0; } catch { return true; }
}
