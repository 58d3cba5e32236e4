/**
 * Benchmark: a burst of 200 `/cluster create` commands from 200 users at the same moment,
 * through the real core (SQLite, fair queue, simulated driver with step_ms 0).
 * Prints reply latency, time until every kubeconfig DM arrived, chat calls per cluster and peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Core } from "../src/core/core.ts";
import { parseConfig } from "../src/config/load.ts";
import { createLogger } from "../src/log.ts";
import { createMetrics } from "../src/metrics.ts";
import { Redactor } from "../src/util/redact.ts";
import { systemClock } from "../src/util/clock.ts";
import { RecordingPort } from "../test/helpers/recording-port.ts";

const USERS = Number(process.env.BENCH_USERS ?? 200);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "labforge-bench-"));
  const members = Array.from({ length: USERS }, (_, i) => ({ identities: [`console:u${i}`], roles: { bench: "student" } }));
  const config = parseConfig({
    tenants: { bench: { name: "Bench", channels: ["console:#bench"], approvals: "none", limits: { max_workers: 2, per_user_clusters: 1 } } },
    members,
    network: { pool: "10.50.0.1-10.50.3.254", prefix: 22, gateway: "10.50.3.255" },
    infra: { driver: "simulated", simulated: { step_ms: 0 } },
  }, "bench");
  const core = new Core({ config, dataDir, secretKey: randomBytes(32), clock: systemClock, log: createLogger("warn", new Redactor()), metrics: createMetrics(false) });
  const port = new RecordingPort();
  core.router.register(port);
  await core.start();

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const t0 = performance.now();
  const latencies = await Promise.all(members.map(async (_, i) => {
    const start = performance.now();
    const reply = await core.dispatcher.handleCommand({ actor: { identity: `console:u${i}` }, where: { channel: "console:#bench" }, text: `create lab${i} workers=1`, deliveryId: `bench-${i}` });
    if (reply.code) throw new Error(`u${i}: ${reply.card.text}`);
    return performance.now() - start;
  }));
  await core.idle();
  const allDelivered = performance.now() - t0;
  clearInterval(sampler);

  const dms = port.sent.filter((s) => s.file).length;
  latencies.sort((a, b) => a - b);
  const result = {
    users: USERS,
    reply_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1)!) },
    all_kubeconfigs_delivered_s: round(allDelivered / 1000),
    kubeconfig_dms: dms,
    chat_calls_per_cluster: round(port.sent.length / USERS),
    peak_rss_mb: round(peakRss / 1024 / 1024),
  };
  console.log(JSON.stringify(result));
  console.table({
    "reply p50 (ms)": result.reply_ms.p50, "reply p99 (ms)": result.reply_ms.p99, "reply max (ms)": result.reply_ms.max,
    "all DMs delivered (s)": result.all_kubeconfigs_delivered_s, "kubeconfig DMs": dms,
    "chat calls / cluster": result.chat_calls_per_cluster, "peak RSS (MB)": result.peak_rss_mb,
  });
  await core.stop();
  rmSync(dataDir, { recursive: true, force: true });
  if (dms !== USERS) { console.error(`only ${dms} of ${USERS} kubeconfigs were delivered`); process.exit(1); }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

await main();
