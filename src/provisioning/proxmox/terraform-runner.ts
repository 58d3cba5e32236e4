/** Runs the terraform CLI in a cluster's workspace: init, apply, output, destroy (argv only, token in the environment). */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { StepError, type NodeInfo, type StepContext } from "../driver.ts";
import { childEnv } from "./child-env.ts";
import { LogTail } from "./log-tail.ts";
import type { ResolvedOptions } from "./options.ts";
import { runTree } from "./process-tree.ts";
import { checkNodes } from "./spec-schema.ts";
import { TerraformEvents } from "./terraform-events.ts";

const outputs = z.object({ nodes: z.object({ value: z.unknown() }) });

/** Where every workspace's providers are cached, so a new cluster does not download them again. */
export function pluginCacheDir(dataDir: string): string {
  return join(dataDir, "terraform-plugin-cache");
}

export class TerraformRunner {
  /** Inits run one at a time: terraform does not promise that concurrent installs into one plugin cache are safe. */
  private initQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ResolvedOptions) {}

  /** `terraform init`: modules and providers (idempotent, cheap once the plugin cache is warm). */
  async init(ws: string, ctx: StepContext): Promise<void> {
    const turn = this.initQueue.then(() => this.initNow(ws, ctx));
    this.initQueue = turn.catch(() => undefined);
    await turn;
  }

  private async initNow(ws: string, ctx: StepContext): Promise<void> {
    await mkdir(pluginCacheDir(this.o.dataDir), { recursive: true, mode: 0o700 });
    const tail = this.tail();
    const code = await this.run(ws, ["init", "-input=false", "-no-color"], ctx, (l) => this.debug(tail.add(l)), tail);
    if (code !== 0) throw new StepError(`terraform init failed (exit ${code})`, tail.all());
    ctx.log("terraform init: ok");
  }

  /** `terraform apply` with progress from the -json stream; `parallelism` caps the VMs it clones at once. */
  async apply(ws: string, ctx: StepContext, parallelism = 10): Promise<void> {
    await this.change(ws, ["apply", "-auto-approve", "-input=false", "-json", `-parallelism=${parallelism}`], ctx, false);
  }

  /** `terraform destroy` with progress from the -json stream. */
  async destroy(ws: string, ctx: StepContext): Promise<void> {
    await this.change(ws, ["destroy", "-auto-approve", "-input=false", "-json"], ctx, true);
  }

  /** `terraform output -json`, checked into the node list. */
  async nodes(ws: string, ctx: StepContext): Promise<NodeInfo[]> {
    const tail = this.tail();
    const out: string[] = [];
    const code = await this.run(ws, ["output", "-json"], ctx, (l) => out.push(l), tail);
    if (code !== 0) throw new StepError(`terraform output failed (exit ${code})`, tail.all());
    let parsed;
    try { parsed = outputs.safeParse(JSON.parse(out.join("\n"))); } catch { parsed = undefined; }
    if (!parsed?.success) throw new StepError("terraform output has no usable `nodes` output (is the module the k8s-cluster module?)", tail.all());
    return checkNodes(parsed.data.nodes.value);
  }

  private async change(ws: string, args: string[], ctx: StepContext, destroying: boolean): Promise<void> {
    const tail = this.tail();
    const errors: string[] = [];
    const events = new TerraformEvents({
      progress: (d) => ctx.progress(d),
      log: (l) => {
        const clean = tail.add(l);
        if (clean.startsWith("error: ")) errors.push(clean.slice(7));
        ctx.log(clean);
      },
    }, destroying);
    const code = await this.run(ws, args, ctx, (l) => events.line(l), tail);
    const what = destroying ? "destroy" : "apply";
    if (code !== 0) throw new StepError(`terraform ${what} failed${errors[0] ? `: ${errors[0]}` : ` (exit ${code})`}`, tail.all());
    const { done, planned } = events.counts();
    ctx.log(`terraform ${what}: ${done}/${planned} resource changes`);
  }

  private run(ws: string, args: string[], ctx: StepContext, onStdout: (l: string) => void, tail: LogTail): Promise<number> {
    const { proxmox, tokenSecret, dataDir, env } = this.o;
    return runTree(this.o.terraformBin, args, {
      cwd: ws, signal: ctx.signal, killAfterMs: this.o.killAfterMs, pidFile: join(ws, ".labforge-terraform.pid"),
      env: childEnv({
        ...env,
        TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1",
        TF_PLUGIN_CACHE_DIR: pluginCacheDir(dataDir),
        // The only place the token goes: terraform's environment, never a file or argv.
        TF_VAR_proxmox_api_token: `${proxmox.token_id}=${tokenSecret}`,
      }),
      onStdout, onStderr: (l) => { if (l.trim()) ctx.log(tail.add(l)); },
    }).then((r) => r.exitCode);
  }

  private tail(): LogTail {
    return new LogTail(this.o.redactor);
  }

  private debug(line: string): void {
    this.o.log?.debug({ tool: "terraform" }, line);
  }
}
