/** Waits until every node accepts the bot's key over SSH, pinning each node's host key (from the guest agent, or on first contact). */
import { sleep } from "../../util/sleep.ts";
import type { NodeInfo, StepContext } from "../driver.ts";
import type { KnownHosts } from "./known-hosts.ts";
import { ProxmoxApiRefused } from "./proxmox-api.ts";
import { HostKeyError, describe, sshConnect, sshExec, type SshTarget } from "./ssh-client.ts";

export interface WaitOptions {
  port: number;
  user: string;
  privateKey: Buffer;
  attemptTimeoutMs: number;
  /**
   * The key a node's VM reports about itself (through the guest agent), or
   * undefined while it cannot tell yet. Given, a node is only ever trusted
   * with that key; absent, its first key is pinned (bound to its VM id).
   */
  hostKeyFor?: (node: NodeInfo, signal: AbortSignal) => Promise<{ type: string; key: string } | undefined>;
  /** Backoff between attempts: starts here, doubles, stops growing at `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Resolves when all nodes answer; the deadline is ctx.signal (the step's timeout), a changed host key fails at once. */
export async function waitForNodes(nodes: NodeInfo[], knownHosts: KnownHosts, o: WaitOptions, ctx: StepContext): Promise<void> {
  let up = 0;
  try {
    await Promise.all(nodes.map(async (node) => {
      await waitForOne({ node, port: o.port, user: o.user, privateKey: o.privateKey }, knownHosts, o, ctx);
      ctx.progress(`ssh ${++up}/${nodes.length}: ${node.name} answers`);
    }));
  } finally {
    await knownHosts.save(); // keep what was learned, even when another node failed
  }
}

async function waitForOne(t: SshTarget, knownHosts: KnownHosts, o: WaitOptions, ctx: StepContext): Promise<void> {
  let delay = o.minDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    ctx.signal.throwIfAborted();
    try {
      if (o.hostKeyFor && !knownHosts.hasPinFor(t.node, t.port)) {
        const key = await o.hostKeyFor(t.node, ctx.signal);
        if (!key) throw new Error(`${describe(t)}: the guest agent of VM ${t.node.vmid} has not reported the SSH host key yet`);
        knownHosts.pinFromAgent(t.node, t.port, key); // written with the others when waitForNodes ends
      }
      const client = await sshConnect(t, knownHosts, !o.hostKeyFor, o.attemptTimeoutMs, ctx.signal);
      try {
        // Authentication alone is not the whole story: make sure a session can run.
        const r = await sshExec(client, "true", { timeoutMs: o.attemptTimeoutMs, what: `ssh ${describe(t)}` });
        if (r.exitCode !== 0) throw new Error(`${describe(t)}: \`true\` exited with ${r.exitCode}`);
      } finally {
        client.end();
      }
      return;
    } catch (err) {
      if (err instanceof HostKeyError || err instanceof ProxmoxApiRefused || ctx.signal.aborted) throw err;
      // Early attempts fail while the VM boots; say so now and then, not on every try.
      if (attempt === 1 || attempt % 5 === 0) ctx.log(`${(err as Error).message} (attempt ${attempt}; retrying)`);
    }
    await sleep(delay, ctx.signal);
    delay = Math.min(delay * 2, o.maxDelayMs ?? 10_000);
  }
}
