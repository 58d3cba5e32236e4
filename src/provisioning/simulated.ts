/** The simulated driver: the same steps and files as the proxmox driver, with VMs that exist only in a state file. */
import { readFile, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
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
  namespaces: string[];
}

const STATE_FILE = "simulated-state.json";

export class SimulatedDriver implements InfraDriver {
  readonly name = "simulated" as const;

  constructor(private readonly opts: SimulatedOptions) {}

  async prepare(spec: ClusterSpec, ctx: StepContext): Promise<void> {
    await this.step(spec, "prepare", ctx);
    await ensureWorkspace(this.opts.dataDir, spec.id);
    ctx.log(`workspace ready for ${spec.tenant}/${spec.name}`);
  }

  async apply(spec: ClusterSpec, ctx: StepContext): Promise<NodeInfo[]> {
    const existing = await this.read(spec);
    if (existing) return existing.nodes;
    const nodes = spec.ips.map((ip, i): NodeInfo => ({
      name: i === 0 ? `${spec.tenant}-${spec.name}-cp` : `${spec.tenant}-${spec.name}-w${i}`,
      role: i === 0 ? "control_plane" : "worker",
      ip,
      vmid: 10_000 + Number.parseInt(ip.split(".").slice(2).join(""), 10),
    }));
    for (const n of nodes) {
      ctx.progress(`cloning ${n.name}`);
      ctx.log(`simulated clone of template → ${n.name} (${n.ip}, ${spec.vcpus} vCPU, ${spec.memoryMb} MB)`);
    }
    await this.step(spec, "apply", ctx);
    await this.write(spec, { nodes, namespaces: ["default", "kube-system", "kube-public", "kube-node-lease"] });
    return nodes;
  }

  async waitForSsh(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    await this.step(spec, "wait_ssh", ctx);
    for (const n of nodes) ctx.log(`ssh ${n.ip}: ok`);
  }

  async configure(spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<void> {
    ctx.progress("kubeadm init");
    await this.step(spec, "configure", ctx);
    ctx.log(`simulated kubeadm init on ${nodes[0]?.name}; ${nodes.length - 1} worker(s) joined`);
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

  async kubectl(spec: ClusterSpec, _nodes: NodeInfo[], argv: string[]): Promise<KubectlResult> {
    const state = await this.read(spec);
    if (!state) return { exitCode: 1, stdout: "", stderr: "the simulated cluster does not exist" };
    const [verb, noun, name] = argv;
    if (verb === "get" && (noun === "namespaces" || noun === "ns")) {
      return { exitCode: 0, stdout: state.namespaces.join("\n") + "\n", stderr: "" };
    }
    if ((verb === "create" || verb === "delete") && noun === "namespace" && name) {
      const has = state.namespaces.includes(name);
      if (verb === "create" && has) return { exitCode: 1, stdout: "", stderr: `namespaces "${name}" already exists` };
      if (verb === "delete" && !has) return { exitCode: 1, stdout: "", stderr: `namespaces "${name}" not found` };
      state.namespaces = verb === "create" ? [...state.namespaces, name] : state.namespaces.filter((n) => n !== name);
      await this.write(spec, state);
      return { exitCode: 0, stdout: `namespace/${name} ${verb}d\n`, stderr: "" };
    }
    return { exitCode: 0, stdout: "", stderr: "" };
  }

  private async step(spec: ClusterSpec, step: ProvisionStep, ctx: StepContext): Promise<void> {
    await sleep(this.opts.stepMs, ctx.signal);
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
