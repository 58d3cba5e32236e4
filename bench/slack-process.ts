/**
 * Slack benchmark as users run it: the bot started like `npm start` (built, then `node … dist/src/main.js` with the
 * start script's flags) in its own process (Slack HTTP mode, simulated infrastructure), a bare Bolt app that only
 * acknowledges in another, and the load from a worker thread of this third process, which also hosts the fake Slack
 * with Slack's published rate limits. Both servers are warmed up, then get the same bursts of simultaneous
 * `/cluster create` commands from different students: BENCH_ROUNDS (5) rounds of 100, then of 200 (BENCH_SIZES),
 * each round the bare app first, then the bot, then a pause until the bot has answered them all. Prints the median
 * over the rounds of each p50 and p99 side by side with the ratio, the time until the last kubeconfig DM of the very
 * first burst (waited for before the next round), the bot's peak RSS through that burst and through the whole run,
 * where its memory is then, and the busiest 60 s of each Web API method.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FakeSlack } from "../test/fakes/slack/fake-slack.ts";
import { slashCommandBody } from "../test/fakes/slack/signing.ts";
import { botCommand, busiestMinute, memoryReport, peakRssMb, round, runRounds, SIZES, spawnNode, stats, stopBot, STUDENTS, until } from "./process-tools.ts";

const SECRET = "bench-signing-secret-0123456789abcdef";

const user = (i: number) => `U0B${String(i).padStart(4, "0")}`;
const portOf = (line: string) => (JSON.parse(line) as { port: number }).port;

/**
 * Sends signed commands all at once from a worker thread; resolves with each one's time to its HTTP 200, in ms, once
 * every command was answered through its response_url too (`answered: false` for the bare app, which answers nothing).
 */
async function burst(url: string, fake: FakeSlack, users: number[], text: (u: string) => string, answered = true): Promise<number[]> {
  const urls = users.map(() => fake.responseUrl());
  const bodies = users.map((i, k) => slashCommandBody({ user_id: user(i), channel_id: "C0BENCH", text: text(user(i)), trigger_id: `bench-${i}-${Date.now()}`, response_url: urls[k]! }));
  const worker = new Worker(new URL("./burst-worker.mjs", import.meta.url), { workerData: { url, secret: SECRET, bodies } });
  const latencies = await new Promise<number[]>((resolve, reject) => {
    worker.once("message", (l: number[]) => { void worker.terminate(); resolve(l); });
    worker.once("error", reject);
  });
  const ids = new Set(urls.map((u) => u.slice(u.lastIndexOf("/") + 1)));
  if (answered && !(await until(() => new Set(fake.responses.filter((r) => ids.has(r.id)).map((r) => r.id)).size === ids.size, 120_000))) {
    throw new Error("the bot did not answer every command of the burst within 2 minutes");
  }
  return latencies;
}

async function main(): Promise<void> {
  const fake = new FakeSlack();
  await fake.start();
  const dir = mkdtempSync(join(tmpdir(), "labforge-bench-"));
  const configFile = join(dir, "labforge.yaml");
  writeFileSync(configFile, JSON.stringify({
    tenants: { bench: { name: "Bench", channels: ["slack:C0BENCH"], approvals: "none", limits: { max_workers: 1, per_user_clusters: 1 } } },
    members: Array.from({ length: STUDENTS }, (_, i) => ({ identities: [`slack:${user(i)}`], roles: { bench: "student" } })),
    network: { pool: "10.40.16.1-10.40.31.250", prefix: 20, gateway: "10.40.31.254", dns: ["10.40.2.1"] },
    queue: { max_parallel_jobs: 8, max_parallel_clones: 8 },
    infra: { driver: "simulated", simulated: { step_ms: 20 } },
  }));
  const slackEnv = { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl };
  const bot = spawnNode(botCommand(), { ...slackEnv, SLACK_MODE: "http", PORT: "0", LOG_LEVEL: "info", LABFORGE_DATA_DIR: join(dir, "data"), LABFORGE_CONFIG: configFile },
    (l) => l.includes('"labforge started"') && l.includes('"port"'));
  const bare = spawnNode(["--import", "tsx", "bench/bare-bolt.ts"], slackEnv, (l) => l.startsWith('{"port"'));
  const botPort = portOf(await bot.ready);
  const botUrl = `http://127.0.0.1:${botPort}/slack/events`;
  const bareUrl = `http://127.0.0.1:${portOf(await bare.ready)}/slack/events`;

  // Warm-up: the same 20 harmless commands to each (no cluster is made).
  const warm = Array.from({ length: 20 }, (_, i) => STUDENTS - 1 - i);
  await burst(bareUrl, fake, warm, () => "help", false);
  await burst(botUrl, fake, warm, () => "help");

  const create = (u: string) => `create b-${u.toLowerCase()} workers=0`;
  let dmSeconds: number | undefined;
  let firstRss = NaN;
  let memory: Record<string, number> = {};
  const rows = await runRounds("acks ≥ 1 s", async (users) => {
    const bare = stats(await burst(bareUrl, fake, users, create, false));
    const start = performance.now();
    const ours = stats(await burst(botUrl, fake, users, create));
    if (dmSeconds === undefined) {
      // The very first burst is followed to its last kubeconfig DM, the bot's peak memory read then.
      const wanted = new Set(users.map((i) => `D${user(i)}`));
      const all = await until(() => fake.files.filter((f) => wanted.has(f.channel)).length >= users.length, 600_000);
      dmSeconds = all ? round((performance.now() - start) / 1000) : NaN;
      firstRss = peakRssMb(bot.child.pid!);
      memory = await memoryReport(`http://127.0.0.1:${botPort}/metrics`);
    }
    return { bare, ours };
  });
  const rss = peakRssMb(bot.child.pid!);
  const minute = busiestMinute(fake.calls);
  await stopBot(bot.child);
  bare.child.kill("SIGTERM");
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  console.table(rows);
  console.log(`last kubeconfig DM of the first ${SIZES[0]}-burst: ${dmSeconds} s after the burst began`);
  console.log(`labforge peak RSS through the first ${SIZES[0]}-burst and its DMs: ${firstRss} MB; through the whole run: ${rss} MB`);
  console.log(`where the bot's memory is after that first burst (MB, from its /metrics): ${Object.entries(memory).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log("busiest 60 s per Web API method:");
  console.table(minute);
  console.log(JSON.stringify({ rows, dmSeconds, peakRssMb: { first: firstRss, run: rss }, memory, busiestMinute: minute }));
}

main().catch((err) => { console.error(err); process.exit(1); });
