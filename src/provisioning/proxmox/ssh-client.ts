/** SSH to a node with ssh2: key auth, the pinned host key checked, commands with stdin, a deadline and an output cap. */
import type Ssh2 from "ssh2";
import { ssh2 } from "./ssh2-lazy.ts";
import { StepError, type KubectlResult, type NodeInfo } from "../driver.ts";
import { hostPattern, type HostKeyVerdict, type KnownHosts } from "./known-hosts.ts";

export interface SshTarget {
  node: NodeInfo;
  port: number;
  user: string;
  privateKey: Buffer;
}

/** Raised when a node presents a host key other than its pinned one (never retried). */
export class HostKeyError extends StepError {}

const MAX_OUTPUT = 16 * 1024 * 1024;

export interface ExecOptions {
  stdin?: string;
  /** Deadline for the command (and, in runRemote, for connecting). */
  timeoutMs: number;
  /** Names the operation in errors: "kubectl on cs401-lab3-cp". */
  what: string;
  signal?: AbortSignal;
}

/** Connects and authenticates; `learn` pins an unknown host key, otherwise only the pinned key is accepted. */
export function sshConnect(t: SshTarget, knownHosts: KnownHosts, learn: boolean, timeoutMs: number, signal?: AbortSignal): Promise<Ssh2.Client> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const client = new (ssh2().Client)();
    let verdict: HostKeyVerdict | undefined;
    let settled = false;
    const onAbort = () => { client.destroy(); reject(signal!.reason); };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => { settled = true; signal?.removeEventListener("abort", onAbort); };
    client.once("ready", () => { done(); resolve(client); });
    // Stays attached: a later error (the node reboots mid-command) must not crash the bot; sshExec sees the close.
    client.on("error", (err) => {
      if (settled) return;
      done();
      client.destroy();
      if (verdict === "changed" || verdict === "unknown" || verdict === "impostor") reject(hostKeyError(t, verdict));
      else reject(new Error(`${describe(t)}: ${err.message}`));
    });
    client.connect({
      host: t.node.ip, port: t.port, username: t.user, privateKey: t.privateKey,
      readyTimeout: timeoutMs, keepaliveInterval: 15_000,
      hostVerifier: (key: Buffer) => {
        verdict = knownHosts.check(t.node, t.port, key, learn);
        return verdict === "match" || verdict === "learned";
      },
    });
  });
}

function hostKeyError(t: SshTarget, verdict: HostKeyVerdict): HostKeyError {
  if (verdict === "impostor") {
    return new HostKeyError(`${describe(t)} presented an SSH host key that is not the one VM ${t.node.vmid} reported through the QEMU guest agent: refusing to connect. Something else answers at ${t.node.ip} (a leftover VM on a reused address?); find it in Proxmox by that address and remove it, then press Retry`);
  }
  return verdict === "changed"
    ? new HostKeyError(`the SSH host key of node ${t.node.name} (${hostPattern(t.node.ip, t.port)}) has changed since it was pinned: refusing to connect. If the VM was rebuilt on purpose, delete its line from the workspace's known_hosts`)
    : new HostKeyError(`node ${t.node.name} (${hostPattern(t.node.ip, t.port)}) has no pinned SSH host key yet (the "Waiting for SSH" step pins it): refusing to connect`);
}

/** "node cs401-lab3-cp (10.40.19.201:22)" for messages. */
export function describe(t: SshTarget): string {
  return `node ${t.node.name} (${hostPattern(t.node.ip, t.port)})`;
}

/** Runs one command on an open connection; the command string must already be quoted. */
export function sshExec(client: Ssh2.Client, command: string, opts: ExecOptions): Promise<KubectlResult> {
  return new Promise((res, rej) => {
    const { signal } = opts;
    const onAbort = () => { client.destroy(); reject(signal!.reason); };
    const resolve = (r: KubectlResult) => { signal?.removeEventListener("abort", onAbort); res(r); };
    const reject = (e: unknown) => { signal?.removeEventListener("abort", onAbort); rej(e); };
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => { client.destroy(); reject(new Error(`${opts.what} timed out after ${Math.round(opts.timeoutMs / 1000)} s`)); }, opts.timeoutMs);
    client.exec(command, (err, stream) => {
      if (err) { clearTimeout(timer); return reject(new Error(`${opts.what}: ${err.message}`)); }
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let size = 0;
      const collect = (into: Buffer[]) => (d: Buffer) => {
        size += d.length;
        if (size > MAX_OUTPUT) { client.destroy(); clearTimeout(timer); reject(new Error(`${opts.what}: more than ${MAX_OUTPUT} bytes of output`)); return; }
        into.push(d);
      };
      stream.on("data", collect(out));
      stream.stderr.on("data", collect(errOut));
      stream.once("close", (code: number | null, signal?: string) => {
        clearTimeout(timer);
        const stderr = Buffer.concat(errOut).toString("utf8");
        resolve({
          exitCode: typeof code === "number" ? code : 255,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: typeof code === "number" ? stderr : `${stderr}${stderr ? "\n" : ""}(ended by signal ${signal ?? "unknown"})`,
        });
      });
      stream.end(opts.stdin ?? undefined);
    });
  });
}

/** Connects with the pinned key only, runs `command`, and disconnects. */
export async function runRemote(t: SshTarget, knownHosts: KnownHosts, command: string, opts: ExecOptions): Promise<KubectlResult> {
  const client = await sshConnect(t, knownHosts, false, opts.timeoutMs, opts.signal);
  try {
    return await sshExec(client, command, opts);
  } finally {
    client.end();
  }
}
