/**
 * Slack benchmark as users run it: the bot started like `npm start` (built, then `node dist/src/main.js`) in its own process (Slack HTTP mode, simulated
 * infrastructure), a bare Bolt app that only acknowledges in another, and the load from a worker thread of this
 * third process, which also hosts the fake Slack with Slack's published rate limits. Both servers are warmed up,
 * then get the same bursts of simultaneous `/cluster` commands (100, then 200). Prints ack latencies side by side
 * with the ratio, the time until the last kubeconfig DM of the 100-burst, the busiest 60 s of each Web API method,
 * and the bot's peak RSS. BENCH_SIZES=100,200 changes the bursts.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FakeSlack } from "../test/fakes/slack/fake-slack.ts";
import { slashCommandBody } from "../test/fakes/slack/signing.ts";

const SECRET = "bench-signing-secret-0123456789abcdef";
const SIZES = (process.env.BENCH_SIZES ?? "100,200").split(",").map(Number);
const ROOT = join(import.meta.dirname, "..");
const STUDENTS = SIZES.reduce((a, b) => a + b, 0) + 20;

interface Stats { p50: number; p99: number; max: number; over1s: number }

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(s.at(-1)!), over1s: s.filter((x) => x >= 1000).length };
}

const round = (n: number) => Math.round(n * 10) / 10;
const user = (i: number) => `U0B${String(i).padStart(4, "0")}`;

/** Starts `node <args…>` in the repository; resolves its port from its first line that names one. */
function spawnNode(args: string[], env: Record<string, string>): { child: ChildProcess; port: Promise<number> } {
  const file = args.at(-1)!;
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const port = new Promise<number>((resolve, reject) => {
    const look = (d: Buffer) => {
      out += String(d);
      for (const line of out.split("\n")) {
        if (line.includes('"port"') && (line.includes('"labforge started"') || line.startsWith('{"port"'))) resolve((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", look);
    child.once("exit", (code) => reject(new Error(`${file} exited ${code}: ${out.slice(-2000)}`)));
    if (process.env.BENCH_DEBUG) child.stderr!.on("data", (d) => { if (/"level":(40|50)/.test(String(d))) process.stderr.write(`[${file}] ${String(d)}`); });
  });
  return { child, port };
}

/** Sends signed commands all at once from a worker thread; resolves with each one's time to its HTTP 200, in ms. */
function burst(url: string, fake: FakeSlack, users: number[], text: (u: string) => string): Promise<number[]> {
  const bodies = users.map((i) => slashCommandBody({ user_id: user(i), channel_id: "C0BENCH", text: text(user(i)), trigger_id: `bench-${i}-${Date.now()}`, response_url: fake.responseUrl() }));
  const worker = new Worker(new URL("./burst-worker.mjs", import.meta.url), { workerData: { url, secret: SECRET, bodies } });
  return new Promise((resolve, reject) => {
    worker.once("message", (latencies: number[]) => { void worker.terminate(); resolve(latencies); });
    worker.once("error", reject);
  });
}

/** The most calls of each method in any 60-second window. */
function busiestMinute(fake: FakeSlack): Record<string, number> {
  const byMethod = new Map<string, number[]>();
  for (const c of fake.calls) byMethod.set(c.method, [...(byMethod.get(c.method) ?? []), c.at]);
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

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function until(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function main(): Promise<void> {
  const fake = new FakeSlack();
  await fake.start();
  const dir = mkdtempSync(join(tmpdir(), "labforge-bench-"));
  const configFile = join(dir, "labforge.yaml");
  writeFileSync(configFile, JSON.stringify({
    tenants: { bench: { name: "Bench", channels: ["slack:C0BENCH"], approvals: "none", limits: { max_workers: 1, per_user_clusters: 1 } } },
    members: Array.from({ length: STUDENTS }, (_, i) => ({ identities: [`slack:${user(i)}`], roles: { bench: "student" } })),
    network: { pool: "10.40.16.1-10.40.19.250", prefix: 22, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
    queue: { max_parallel_jobs: 8, max_parallel_clones: 8 },
    infra: { driver: "simulated", simulated: { step_ms: 20 } },
  }));
  const slackEnv = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl };
  // The bot as `npm start` runs it: built, then plain JavaScript.
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: "inherit" });
  const bot = spawnNode(["--enable-source-maps", "dist/src/main.js"], { ...slackEnv, SLACK_MODE: "http", PORT: "0", LOG_LEVEL: "info", LABFORGE_DATA_DIR: join(dir, "data"), LABFORGE_CONFIG: configFile });
  const bare = spawnNode(["--import", "tsx", "bench/bare-bolt.ts"], slackEnv);
  const botUrl = `http://127.0.0.1:${await bot.port}/slack/events`;
  const bareUrl = `http://127.0.0.1:${await bare.port}/slack/events`;

  // Warm-up: the same 20 harmless commands to each (no cluster is made).
  const warm = Array.from({ length: 20 }, (_, i) => STUDENTS - 1 - i);
  await burst(bareUrl, fake, warm, () => "help");
  await burst(botUrl, fake, warm, () => "help");

  const rows: Record<string, unknown>[] = [];
  let next = 0;
  let dmSeconds: number | undefined;
  for (const size of SIZES) {
    const users = Array.from({ length: size }, (_, i) => next + i);
    next += size;
    const floor = stats(await burst(bareUrl, fake, users, (u) => `create b-${u.toLowerCase()} workers=0`));
    const start = performance.now();
    const ours = stats(await burst(botUrl, fake, users, (u) => `create b-${u.toLowerCase()} workers=0`));
    rows.push({ burst: size, "bare p50 ms": floor.p50, "bare p99 ms": floor.p99, "labforge p50 ms": ours.p50, "labforge p99 ms": ours.p99,
      "p99 ratio": round(ours.p99 / floor.p99 * 100) / 100, "acks ≥ 1 s": ours.over1s, "labforge max ms": ours.max });
    if (dmSeconds === undefined) {
      const wanted = new Set(users.map((i) => `D${user(i)}`));
      const all = await until(() => fake.files.filter((f) => wanted.has(f.channel)).length >= size, 600_000);
      dmSeconds = all ? round((performance.now() - start) / 1000) : NaN;
    }
  }
  const rss = peakRssMb(bot.child.pid!);
  const minute = busiestMinute(fake);
  bot.child.kill("SIGKILL");
  bare.child.kill("SIGTERM");
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  console.table(rows);
  console.log(`last kubeconfig DM of the ${SIZES[0]}-burst: ${dmSeconds} s after the burst began`);
  console.log(`labforge peak RSS through the run: ${rss} MB`);
  console.log("busiest 60 s per Web API method:");
  console.table(minute);
  console.log(JSON.stringify({ rows, dmSeconds, peakRssMb: rss, busiestMinute: minute }));
}

main().catch((err) => { console.error(err); process.exit(1); });
