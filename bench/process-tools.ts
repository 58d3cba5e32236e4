/** What the process benchmarks share: latency statistics, starting a node process, its peak RSS, polling, and the bot's flags as `npm start` gives them. */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..");

export interface Stats { p50: number; p99: number; max: number; over1s: number }

/** p50, p99 and max of latencies in ms, and how many took a second or more. */
export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(s.at(-1)!), over1s: s.filter((x) => x >= 1000).length };
}

/** One decimal. */
export const round = (n: number): number => Math.round(n * 10) / 10;

/** The median of a few figures. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
}

/** Two decimals, for ratios. */
export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;

/**
 * Starts `node <args…>` in the repository; `ready` resolves with the first output line `isReady` accepts. Output is
 * drained (only its last few KB kept, for an error message), so reading it costs the benchmark process nothing.
 */
export function spawnNode(args: string[], env: Record<string, string>, isReady: (line: string) => boolean): { child: ChildProcess; ready: Promise<string> } {
  const file = args.at(-1)!;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  let partial = "";
  let found = false;
  const ready = new Promise<string>((resolve, reject) => {
    const look = (d: Buffer) => {
      const text = String(d);
      tail = (tail + text).slice(-4000);
      if (process.env.BENCH_DEBUG && /"level":(40|50)/.test(text)) process.stderr.write(`[${file}] ${text}`);
      if (found) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      const line = lines.find(isReady);
      if (line) { found = true; resolve(line); }
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", look);
    child.once("exit", (code) => reject(new Error(`${file} exited ${code}: ${tail}`)));
  });
  return { child, ready };
}

/** Burst sizes (BENCH_SIZES, default 100 and 200) and rounds per size (BENCH_ROUNDS, default 5). */
export const SIZES = (process.env.BENCH_SIZES ?? "100,200").split(",").map(Number);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Distinct students for every burst of the run, plus 20 for the warm-up. */
export const STUDENTS = ROUNDS * SIZES.reduce((a, b) => a + b, 0) + 20;

/**
 * Runs ROUNDS rounds of each size with fresh students each (`round` times the bare app and then the bot on them),
 * a second's pause after each for the bot's last answers; resolves with one median row per size.
 */
export async function runRounds(slowLabel: string, round: (users: number[]) => Promise<{ bare: Stats; ours: Stats }>): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let next = 0;
  for (const size of SIZES) {
    const bare: Stats[] = [];
    const ours: Stats[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const users = Array.from({ length: size }, (_, i) => next + i);
      next += size;
      const got = await round(users);
      bare.push(got.bare);
      ours.push(got.ours);
      await new Promise((res) => setTimeout(res, 1000)); // the last answers' provisioning steps
    }
    rows.push(medianRow(size, bare, ours, slowLabel));
  }
  return rows;
}

/** One table row: the medians over the rounds of each app's p50 and p99 side by side, the ratio, the slow ones and the worst. */
export function medianRow(size: number, bare: Stats[], ours: Stats[], slowLabel: string): Record<string, unknown> {
  const m = (xs: Stats[], k: "p50" | "p99") => median(xs.map((x) => x[k]));
  return { burst: size, rounds: ours.length, "bare p50 ms": m(bare, "p50"), "bare p99 ms": m(bare, "p99"), "labforge p50 ms": m(ours, "p50"), "labforge p99 ms": m(ours, "p99"),
    "p99 ratio": ratio(m(ours, "p99"), m(bare, "p99")), [slowLabel]: ours.reduce((n, x) => n + x.over1s, 0), "labforge max ms": Math.max(...ours.map((x) => x.max)) };
}

/**
 * Builds the bot and returns `node`'s arguments as `npm start` runs it (its flags read from package.json); with
 * BENCH_PROFILE=<dir> also a CPU profile there, written when the bot is stopped by `stopBot`.
 */
export function botCommand(): string[] {
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
  const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+(dist\/src\/main\.js)/.exec(start);
  if (!m) throw new Error(`npm start does not run node … dist/src/main.js: ${start}`);
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return [...m[1]!.trim().split(/\s+/).filter(Boolean), ...profile, m[2]!];
}

/** Stops the bot: killed at once, or with BENCH_PROFILE a graceful stop, so its profile is written. */
export async function stopBot(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(process.env.BENCH_PROFILE ? "SIGTERM" : "SIGKILL");
  await exited;
}

/** The process's peak resident set (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** What holds a bot's memory now, in MB, from the Node.js figures on its /metrics: RSS, V8's heap spaces (committed), and memory outside the heap. */
export async function memoryReport(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const mb = (re: RegExp) => round(Number(re.exec(text)?.[1] ?? NaN) / 1048576);
  const out: Record<string, number> = { rss: mb(/^labforge_process_resident_memory_bytes ([0-9.e+]+)/m), "heap used": mb(/^labforge_nodejs_heap_size_used_bytes ([0-9.e+]+)/m) };
  for (const m of text.matchAll(/^labforge_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} ([0-9.e+]+)/gm)) out[m[1]!.replace(/_space$/, "")] = round(Number(m[2]) / 1048576);
  out.external = mb(/^labforge_nodejs_external_memory_bytes ([0-9.e+]+)/m);
  return out;
}

/** Polls `probe` every 100 ms; false when it did not hold within `timeoutMs`. */
export async function until(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** The most calls of each method in any 60-second window (`at` in ms). */
export function busiestMinute(calls: readonly { method: string; at: number }[]): Record<string, number> {
  const byMethod = new Map<string, number[]>();
  for (const c of calls) byMethod.set(c.method, [...(byMethod.get(c.method) ?? []), c.at]);
  const out: Record<string, number> = {};
  for (const [method, ats] of byMethod) {
    ats.sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; i < ats.length; i++) {
      while (ats[i]! - ats[j]! >= 60_000) j++;
      best = Math.max(best, i - j + 1);
    }
    out[method] = best;
  }
  return out;
}
