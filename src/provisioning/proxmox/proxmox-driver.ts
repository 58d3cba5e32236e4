/** The proxmox driver: terraform clones the VMs, ansible makes them a kubeadm cluster, ssh2 fetches the kubeconfig and runs kubectl. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
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
import { CloneSlots } from "./clone-slots.ts";
import { parsePublicKeyLine } from "./known-hosts.ts";
import { placeByFreeMemory } from "./placement.ts";
import { declaredOnly, freezeInputs, moduleNeedsProxmox, needsFreshPerNode, rootModule, tfvars, writeWorkspace } from "./workspace-files.ts";
import { MODULE_COPY, copyModuleInto, declaredVariables, readManifest, workspaceReport, type WorkspaceReport } from "./workspace-module.ts";
import { checkWorkers, drainNodes, joinNodes, waitNodesReady, writePowerVars } from "./day2.ts";
import { shellJoin } from "./shell-quote.ts";
import { sudoPrefix } from "./kubectl-remote.ts";

export class ProxmoxDriver implements InfraDriver {
  readonly name = "proxmox" as const;
  private readonly o: ResolvedOptions;
  private readonly terraform: TerraformRunner;
  private readonly clones: CloneSlots;
  private keys: Promise<SshKeyPair> | undefined;

  constructor(opts: ProxmoxDriverOptions) {
    const redactor = opts.redactor ?? new Redactor();
    redactor.add(opts.tokenSecret, `${opts.proxmox.token_id}=${opts.tokenSecret}`);
    this.o = resolveOptions(opts, redactor);
    this.terraform = new TerraformRunner(this.o);
    this.clones = new CloneSlots(this.o.maxParallelClones);
  }

  /** Which workspaces were made with another module than the current one (logged at start; see docs/infrastructure.md, upgrades). */
  reportWorkspaces(): WorkspaceReport {
    const r = workspaceReport(this.o.dataDir, this.o.moduleDir);
    if (r.older.length > 0) {
      this.o.log?.warn({ workspaces: r.older }, `${r.older.length} cluster workspace(s) were made with an older k8s-cluster module; they keep their own copy until destroyed (docs/infrastructure.md, "Upgrading the module")`);
    }
    if (r.legacy.length > 0) {
      this.o.log?.warn({ workspaces: r.legacy }, `${r.legacy.length} cluster workspace(s) predate module copies and follow ${this.o.moduleDir} by path; destroy or rebuild them before changing that module`);
    }
    return r;
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
    const lease = await this.clones.acquire(s.workers + 1, ctx.signal);
    try {
      if (lease.count < s.workers + 1) ctx.log(`cloning at most ${lease.count} VM(s) at a time (queue.max_parallel_clones)`);
      await this.terraform.apply(ws, ctx, lease.count);
    } finally {
      lease.release();
    }
    const nodes = await this.terraform.nodes(ws, ctx);
    if (nodes.map((n) => n.ip).join(",") !== s.ips.join(",")) {
      throw new StepError(`terraform reports nodes at ${nodes.map((n) => n.ip).join(", ")}, expected ${s.ips.join(", ")}`);
    }
    const wanted = await this.vmIdsOfWorkspace(ws);
    if (wanted.length > 0 && nodes.map((n) => n.vmid).join(",") !== wanted.join(",")) {
      throw new StepError(`terraform reports VM ids ${nodes.map((n) => n.vmid).join(", ")}, expected ${wanted.join(", ")} from infra.proxmox.vmid_range`);
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
      hostKeyFor: this.o.proxmox.host_keys === "guest_agent" ? (n, signal) => this.hostKeyFromAgent(n, signal) : undefined,
    }, ctx);
  }

  /** The node's ed25519 host public key as its VM reports it through the QEMU guest agent; undefined until it can. */
  private async hostKeyFromAgent(node: NodeInfo, signal: AbortSignal): Promise<{ type: string; key: string } | undefined> {
    const pve = await this.o.api.nodeOfVm(node.vmid, signal);
    if (!pve) return undefined;
    const text = await this.o.api.readGuestFile(pve, node.vmid, "/etc/ssh/ssh_host_ed25519_key.pub", signal);
    return text === undefined ? undefined : parsePublicKeyLine(text);
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
    if (!existsSync(ws)) { ctx.log("no workspace: nothing to destroy"); await this.freeVmIds(spec.id); return; }
    if (await hasResources(ws)) {
      await this.terraform.init(ws, ctx);
      await this.terraform.destroy(ws, ctx);
    } else {
      ctx.log("terraform state is empty: nothing to destroy");
    }
    // Pins and state go with the VMs: a retry builds new VMs with new host keys.
    await removeWorkspace(this.o.dataDir, spec.id);
    await this.freeVmIds(spec.id);
  }

  /** Releases a cluster's VM ids once its VMs are gone (destroy calls it; exposed for a lifecycle that forgets a cluster without a destroy). */
  async freeVmIds(clusterId: string): Promise<number> {
    return this.o.vmids ? this.o.vmids.free(clusterId) : 0;
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

  /**
   * Makes the workspace (with its own module copy), or refreshes the inputs of
   * one that exists: spec-derived inputs follow the spec, FROZEN_INPUTS keep
   * their first values, and only variables the workspace's module declares are
   * written, so an older copy keeps working with a newer labforge.
   */
  private async writeWorkspace(s: ClusterSpec): Promise<string> {
    const key = await this.keyPair();
    const { dataDir, moduleDir, moduleInputs, proxmox } = this.o;
    const ws = workspaceOf(dataDir, s.id);
    const exists = existsSync(ws);
    const legacy = exists && !(await readManifest(ws));
    // A new workspace gets a copy of moduleDir, so moduleDir is what it will declare.
    const code = exists && !legacy ? join(ws, MODULE_COPY) : moduleDir;
    const earlier = exists ? await readJson(join(ws, "terraform.tfvars.json")) : undefined;
    // Asked only when some VM has none yet: existing VMs keep theirs (freezeInputs), and no API call or id is wasted.
    const n = s.workers + 1;
    const vmIds = needsFreshPerNode(earlier, "vm_ids", n) ? await this.allocateVmIds(s) : [];
    const placement = needsFreshPerNode(earlier, "placement", n) ? await this.placement(s) : [];
    const vars = declaredOnly(freezeInputs(tfvars(s, proxmox, key.publicKey, placement, vmIds), earlier), await declaredVariables(code));
    const source = legacy ? resolve(moduleDir) : `./${MODULE_COPY}`;
    return writeWorkspace(dataDir, s.id, {
      "main.tf.json": JSON.stringify(rootModule(source, await moduleNeedsProxmox(code), moduleInputs, await declaredVariables(code)), null, 2) + "\n",
      "terraform.tfvars.json": JSON.stringify(vars, null, 2) + "\n",
    }, (dir) => copyModuleInto(moduleDir, dir));
  }

  /** Each VM's Proxmox node by free memory ([] = round robin in the module). */
  private async placement(s: ClusterSpec): Promise<string[]> {
    const px = this.o.proxmox;
    if (px.placement !== "free_memory") return [];
    const names = Array.from({ length: s.workers + 1 }, (_, i) => `${s.tenant}-${s.name}-${i === 0 ? "cp" : `w${i}`}`);
    const r = placeByFreeMemory(names, s.memoryMb, px.nodes, await this.o.api.nodes());
    if (!r.ok) throw new StepError(r.message);
    return r.placement;
  }

  /** VM ids for the cluster's nodes from the range ([] without one), refused with the numbers when the range is full. */
  private async allocateVmIds(s: ClusterSpec): Promise<number[]> {
    const pool = this.o.vmids;
    if (!pool) return [];
    const r = await pool.allocate(s.id, s.workers + 1);
    if (!r.ok) throw new StepError(`infra.proxmox.vmid_range ${pool.range} has ${r.free} free VM id(s), ${s.workers + 1} needed: widen the range or delete clusters`);
    return r.vmids;
  }

  private async vmIdsOfWorkspace(ws: string): Promise<number[]> {
    const v = (await readJson(join(ws, "terraform.tfvars.json")))?.vm_ids;
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
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

/** A JSON object from a workspace file, or undefined when it is missing or not an object. */
async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v: unknown = JSON.parse(await readFile(path, "utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the workspace's state still holds resources (unreadable state counts as yes: let terraform decide). */
async function hasResources(ws: string): Promise<boolean> {
  let text: string;
  try { text = await readFile(join(ws, "terraform.tfstate"), "utf8"); } catch { return false; }
  try { return ((JSON.parse(text) as { resources?: unknown[] }).resources ?? []).length > 0; } catch { return true; }
}
