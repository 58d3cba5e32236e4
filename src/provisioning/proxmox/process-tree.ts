/** Runs terraform and ansible-playbook as their own process group, streams their lines, and kills the whole tree on abort. */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { sleep } from "../../util/sleep.ts";
import { StepError } from "../driver.ts";

export interface TreeRunOptions {
  cwd: string;
  env: Record<string, string>;
  /** Aborts the run: the process group gets SIGTERM, then SIGKILL after `killAfterMs`. */
  signal: AbortSignal;
  killAfterMs: number;
  onStdout(line: string): void;
  onStderr(line: string): void;
  /** Records the running group so that a restarted bot can end a run its predecessor left behind. */
  pidFile: string;
}

export interface TreeRunResult {
  exitCode: number;
}

/** Runs `file args` (argv, no shell) detached in its own process group; throws the signal's reason when aborted. */
export async function runTree(file: string, args: string[], opts: TreeRunOptions): Promise<TreeRunResult> {
  await reapStale(opts.pidFile, opts.cwd, opts.killAfterMs);
  opts.signal.throwIfAborted();
  const sub = execa(file, args, {
    cwd: opts.cwd, env: opts.env, extendEnv: false,
    // detached: the child leads a new process group, so provider plugins, ssh and
    // local-exec shells can be killed with it; execa alone would signal only the leader.
    detached: true, cancelSignal: opts.signal, forceKillAfterDelay: opts.killAfterMs,
    stdin: "ignore", buffer: false, reject: false, encoding: "utf8",
  });
  // The line readers go on at once: execa leaves the pipes flowing, so output the child writes before they are
  // attached (while the pid file below waits for the threadpool, say) would be lost, and their end never seen.
  const lines = [pump(sub.stdout, opts.onStdout), pump(sub.stderr, opts.onStderr)];
  const pid = sub.pid;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (pid === undefined) return;
    killGroup(pid, "SIGTERM");
    timer = setTimeout(() => killGroup(pid, "SIGKILL"), opts.killAfterMs);
  };
  opts.signal.addEventListener("abort", onAbort, { once: true });
  if (pid !== undefined) await writeFile(opts.pidFile, JSON.stringify({ pgid: pid, file }), { mode: 0o600 }).catch(() => {});
  try {
    const result = await sub;
    await Promise.all(lines);
    if (opts.signal.aborted) throw opts.signal.reason;
    if (result.exitCode === undefined) {
      throw new StepError(`could not run ${file}: ${result.failed ? result.shortMessage : "no exit code"}`);
    }
    return { exitCode: result.exitCode };
  } finally {
    opts.signal.removeEventListener("abort", onAbort);
    clearTimeout(timer);
    // Whatever the leader left behind (a local-exec shell, an ssh) goes with it.
    if (pid !== undefined && opts.signal.aborted) killGroup(pid, "SIGKILL");
    await rm(opts.pidFile, { force: true });
  }
}

function pump(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on("line", onLine);
  return new Promise((resolve) => rl.once("close", resolve));
}

/** Sends `signal` to every process in the group led by `pgid` (no-op when the group is gone). */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal); } catch { /* ESRCH: nothing left */ }
}

/** The pids whose process group is `pgid`, from /proc (empty where there is no /proc). */
export function processGroupMembers(pgid: number): number[] {
  const pids: number[] = [];
  let entries: string[];
  try { entries = readdirSync("/proc"); } catch { return pids; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") pids.push(Number(e));
    } catch { /* the process ended while we looked */ }
  }
  return pids;
}

/**
 * Ends a run that a previous bot process started in this workspace and left
 * running (it was killed before it could clean up): terraform would otherwise
 * fail on the state lock, and two ansible runs would race.
 */
async function reapStale(pidFile: string, cwd: string, killAfterMs: number): Promise<void> {
  let pgid: number;
  try { pgid = Number(JSON.parse(readFileSync(pidFile, "utf8")).pgid); } catch { return; }
  const ours = () => processGroupMembers(pgid).filter((p) => {
    try { const d = readlinkSync(`/proc/${p}/cwd`); return d === cwd || d.startsWith(cwd + "/"); } catch { return false; }
  });
  if (Number.isInteger(pgid) && pgid > 1 && ours().length > 0) {
    killGroup(pgid, "SIGTERM");
    for (let waited = 0; waited < killAfterMs && ours().length > 0; waited += 100) await sleep(100);
    killGroup(pgid, "SIGKILL");
  }
  await rm(pidFile, { force: true });
}
