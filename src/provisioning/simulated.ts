/** The simulated driver: the same steps and files as the proxmox driver, with VMs that exist only in a state file. */
import { readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseAllDocuments, stringify } from "yaml";
import { sleep } from "../util/sleep.ts";
import { ensureWorkspace, workspaceOf } from "./workspace.ts";
import { StepError, type ClusterSpec, type InfraDriver, type KubectlResult, type NodeInfo, type ProvisionStep, type StepContext } from "./driver.ts";

export interface SimulatedOptions {
  dataDir: string;
  stepMs: number;
  /** Scripted failures for drills: cluster name → the step that fails. */
  fail: Record<string, ProvisionStep | string>;
}

interface SimState {
  nodes: NodeInfo[];
  /** False while the VMs are powered off. */
  running?: boolean;
  /** Names of the nodes Kubernetes knows (joined and not drained); all of `nodes` when absent. */
  members?: string[];
  namespaces: string[];
  /** `<namespace>/<name>` of each ServiceAccount made with `kubectl apply`. */
  serviceAccounts?: string[];
}

const STATE_FILE = "simulated-state.json";

function sameNodes(a: NodeInfo[], b: NodeInfo[]): boolean {
  return a.length === b.length && a.every((n, i) => n.name === b[i]!.name && n.ip === b[i]!.ip);
}

function membersOf(state: SimState): string[] {
  return state.members ?? state.nodes.map((n) => n.name);
}

export class SimulatedDriver implements InfraDriver {
  readonly name = "simulated" as const;

  constructor(private readonly opts: SimulatedOptions) {}

  async prepare(spec: ClusterSpec, ctx: StepContext): Promise<void> {
    await this.step(spec, "prepare", ctx);
    await ensureWorkspace(this.opts.dataDir, spec.id);
    ctx.log(`workspace ready for ${spec.tenant}/${spec.name}`);
  }

  /** Converges the simulated VMs to `spec.ips`: clones the missing ones, and refuses to remove a worker Kubernetes still has. */
  async apply(spec: ClusterSpec, ctx: StepContext): Promise<NodeInfo[]> {
    const existing = await this.read(spec);
    const nodes = spec.ips.map((ip, i): NodeInfo => ({
      name: i === 0 ? `${spec.tenant}-${spec.name}-cp` : `${spec.tenant}-${spec.name}-w${i}`,
      role: i === 0 ? "control_plane" : "worker",
      ip,
      vmid: 10_000 + Number.parseInt(ip.split(".").slice(2).join(""), 10),
    }));
    if (existing && sameNodes(existing.nodes, nodes)) return existing.nodes;
    const had = new Set(existing?.nodes.map((n) => n.name));
    const removed = (existing?.nodes ?? []).filter((n) => !nodes.some((m) => m.name === n.name));
    const members = existing ? membersOf(existing) : [];
    const undrained = removed.filter((n) => members.includes(n.name));
    if (undrained.length > 0) throw new StepError(`would delete ${undrained.map((n) => n.name).join(", ")} while Kubernetes still has them: drain first`);
    for (const n of nodes.filter((n) => !had.has(n.name))) {
      ctx.progress(`cloning ${n.name}`);
      ctx.log(`simulated clone of template → ${n.name} (${n.ip}, ${spec.vcpus} vCPU, ${spec.memoryMb} MB)`);
    }
    for (const n of removed) ctx.log(`simulated destroy of ${n.name}`);
    await this.step(spec, "apply", ctx);
    await this.write(spec, {
      namespaces: ["default", "kube-system", "kube-public", "kube-node-lease"], ...existing, nodes, running: true,
      members: existing ? members : undefined,
    });
    return nodes;
  }

  async waitForSsh(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    await this.step(spec, "wait_ssh", ctx);
    for (const n of nodes) ctx.log(`ssh ${n.ip}: ok`);
  }

  async configure(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    ctx.progress("kubeadm init");
    await this.step(spec, "configure", ctx);
    const state = await this.read(spec);
    if (state) await this.write(spec, { ...state, members: nodes.map((n) => n.name) });
    ctx.log(`simulated kubeadm init on ${nodes[0]?.name}; ${nodes.length - 1} worker(s) joined`);
  }

  async power(spec: ClusterSpec, _nodes: NodeInfo[], running: boolean, ctx: StepContext): Promise<void> {
    const state = await this.read(spec);
    if (!state) throw new StepError("the simulated cluster does not exist");
    await sleep(this.opts.stepMs, ctx.signal);
    this.scripted(spec, running ? "start" : "stop", ctx);
    for (const n of state.nodes) ctx.log(`simulated power ${running ? "on" : "off"} of ${n.name}`);
    await this.write(spec, { ...state, running });
  }

  async waitForNodesReady(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    const state = await this.read(spec);
    await sleep(this.opts.stepMs, ctx.signal);
    if (!state || state.running === false) throw new StepError("the simulated VMs are powered off: no node can be Ready");
    const members = membersOf(state);
    const missing = nodes.filter((n) => !members.includes(n.name));
    if (missing.length > 0) throw new StepError(`${missing.map((n) => n.name).join(", ")} never joined the cluster`);
    ctx.log(`${nodes.length} node(s) Ready`);
  }

  async joinWorkers(spec: ClusterSpec, _nodes: NodeInfo[], joining: NodeInfo[], ctx: StepContext): Promise<void> {
    const state = await this.read(spec);
    if (!state) throw new StepError("the simulated cluster does not exist");
    await sleep(this.opts.stepMs, ctx.signal);
    this.scripted(spec, "join", ctx);
    ctx.log(`simulated kubeadm token create (fresh token); ${joining.map((n) => n.name).join(", ")} joined`);
    await this.write(spec, { ...state, members: [...new Set([...membersOf(state), ...joining.map((n) => n.name)])] });
  }

  async drainWorkers(spec: ClusterSpec, _nodes: NodeInfo[], leaving: NodeInfo[], ctx: StepContext): Promise<void> {
    const state = await this.read(spec);
    if (!state) throw new StepError("the simulated cluster does not exist");
    await sleep(this.opts.stepMs, ctx.signal);
    this.scripted(spec, "drain", ctx);
    for (const n of leaving) ctx.log(`simulated kubectl drain ${n.name}; kubectl delete node ${n.name}`);
    const gone = new Set(leaving.map((n) => n.name));
    await this.write(spec, { ...state, members: membersOf(state).filter((m) => !gone.has(m)) });
  }

  async fetchKubeconfig(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<string> {
    await this.step(spec, "kubeconfig", ctx);
    const cp = nodes.find((n) => n.role === "control_plane");
    if (!cp) throw new StepError("no control-plane node in the simulated state");
    const name = `${spec.tenant}-${spec.name}`;
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server: `https://${cp.ip}:6443`, "insecure-skip-tls-verify": true } }],
      users: [{ name: `${name}-admin`, user: { token: randomBytes(24).toString("hex") } }],
      contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
      "current-context": name,
      preferences: {},
    };
    return `# Simulated by labforge: no real cluster answers at ${cp.ip}.\n${stringify(doc)}`;
  }

  async destroy(spec: ClusterSpec, ctx: StepContext): Promise<void> {
    const state = await this.read(spec);
    await sleep(this.opts.stepMs, ctx.signal);
    for (const n of state?.nodes ?? []) ctx.log(`simulated destroy of ${n.name}`);
    await rm(join(workspaceOf(this.opts.dataDir, spec.id), STATE_FILE), { force: true });
  }

  /**
   * A small kubectl for the simulated cluster: the namespace, ServiceAccount and token calls labforge makes
   * (src/namespaces/kubectl-argv.ts), with kubectl's exit codes and error wording; anything else fails.
   */
  async kubectl(spec: ClusterSpec, _nodes: NodeInfo[], argv: string[], stdin?: string): Promise<KubectlResult> {
    const state = await this.read(spec);
    if (!state) return { exitCode: 1, stdout: "", stderr: "the simulated cluster does not exist" };
    if (state.running === false) return { exitCode: 1, stdout: "", stderr: "The connection to the server was refused (the simulated VMs are powered off)\n" };
    const accounts = new Set(state.serviceAccounts ?? []);
    const ok = (stdout: string): KubectlResult => ({ exitCode: 0, stdout, stderr: "" });
    const fail = (stderr: string): KubectlResult => ({ exitCode: 1, stdout: "", stderr: `${stderr}\n` });
    const notFound = (ns: string) => fail(`Error from server (NotFound): namespaces "${ns}" not found`);
    const [verb, noun, name] = argv;
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    if (verb === "get" && (noun === "namespaces" || noun === "ns") && name === "-o") {
      return ok(state.namespaces.map((n) => `namespace/${n}`).join("\n") + "\n");
    }
    if (verb === "get" && noun === "namespace" && name) return state.namespaces.includes(name) ? ok(`namespace/${name}\n`) : notFound(name);
    if (verb === "delete" && noun === "-n" && name) {
      // `delete -n <ns> serviceaccount/<sa> rolebinding/<sa>-edit --ignore-not-found` (namespaces/revoke.ts)
      const sa = argv.find((a) => a.startsWith("serviceaccount/"))?.slice("serviceaccount/".length);
      if (!state.namespaces.includes(name)) return argv.includes("--ignore-not-found") ? ok("") : notFound(name);
      if (sa) accounts.delete(`${name}/${sa}`);
      await this.write(spec, { ...state, serviceAccounts: [...accounts] });
      return ok(sa ? `serviceaccount "${sa}" deleted\n` : "");
    }
    if ((verb === "create" || verb === "delete") && noun === "namespace" && name) {
      const has = state.namespaces.includes(name);
      if (verb === "create" && has) return fail(`Error from server (AlreadyExists): namespaces "${name}" already exists`);
      if (verb === "delete" && !has) return notFound(name);
      state.namespaces = verb === "create" ? [...state.namespaces, name] : state.namespaces.filter((n) => n !== name);
      if (verb === "delete") for (const a of [...accounts]) if (a.startsWith(`${name}/`)) accounts.delete(a);
      await this.write(spec, { ...state, serviceAccounts: [...accounts] });
      return ok(`namespace/${name} ${verb}d\n`);
    }
    if ((verb === "apply" || verb === "create") && noun === "-f" && name === "-") {
      // In document order, as kubectl does: a Namespace first makes the namespace the rest goes into.
      const out: string[] = [];
      for (const doc of parseAllDocuments(stdin ?? "").map((d) => d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null)) {
        if (doc?.kind === "Namespace" && doc.metadata?.name) {
          const has = state.namespaces.includes(doc.metadata.name);
          if (verb === "create" && has) return fail(`Error from server (AlreadyExists): namespaces "${doc.metadata.name}" already exists`);
          if (!has) state.namespaces = [...state.namespaces, doc.metadata.name];
          out.push(`namespace/${doc.metadata.name} ${has ? "configured" : "created"}`);
          continue;
        }
        const ns = doc?.metadata?.namespace ?? "default";
        if (!state.namespaces.includes(ns)) return notFound(ns);
        if (doc?.kind === "ServiceAccount") accounts.add(`${ns}/${doc.metadata?.name}`);
        out.push(`${doc?.kind?.toLowerCase()}/${doc?.metadata?.name} ${verb === "create" ? "created" : "configured"}`);
      }
      await this.write(spec, { ...state, serviceAccounts: [...accounts] });
      return ok(out.join("\n") + "\n");
    }
    if (verb === "create" && noun === "token" && name) {
      const ns = flag("-n") ?? "default";
      if (!accounts.has(`${ns}/${name}`)) return fail(`error: failed to create token: serviceaccounts "${name}" not found`);
      return ok(`sim.${randomBytes(24).toString("base64url")}.${randomBytes(16).toString("base64url")}\n`);
    }
    return fail(`error: the simulated kubectl does not implement "${argv.join(" ")}"`);
  }

  private async step(spec: ClusterSpec, step: ProvisionStep, ctx: StepContext): Promise<void> {
    await sleep(this.opts.stepMs, ctx.signal);
    this.scripted(spec, step, ctx);
  }

  /** Throws the drill's failure when `infra.simulated.fail` names this step for the cluster. */
  private scripted(spec: ClusterSpec, step: string, ctx: StepContext): void {
    if (this.opts.fail[spec.name] === step) {
      const lines = [`simulated failure of ${step} for ${spec.name} (infra.simulated.fail)`, "error: the drill says this step fails"];
      lines.forEach((l) => ctx.log(l));
      throw new StepError(`${step} failed (scripted drill)`, lines);
    }
  }

  private async read(spec: ClusterSpec): Promise<SimState | undefined> {
    try {
      return JSON.parse(await readFile(join(workspaceOf(this.opts.dataDir, spec.id), STATE_FILE), "utf8")) as SimState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  private async write(spec: ClusterSpec, state: SimState): Promise<void> {
    const dir = await ensureWorkspace(this.opts.dataDir, spec.id);
    await writeFile(join(dir, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o600 });
  }
}
