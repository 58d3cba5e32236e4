/** Monitoring: the alert rules use only metrics labforge exports, promtool accepts them and their unit tests pass, and the new gauges report what is true. */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { Registry } from "prom-client";
import { createMetrics } from "../../src/metrics.ts";
import { registerStateMetrics } from "../../src/ops/state-metrics.ts";
import { createLogger } from "../../src/log.ts";
import { Redactor } from "../../src/util/redact.ts";
import { startSlack, type RunningSlack } from "../../adapters/slack/start.ts";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { ROOT } from "../helpers/bot-process.ts";
import { readyCluster } from "../lifecycle/helpers.ts";
import { slackConfig } from "../slack/helpers.ts";

const RULES = join(ROOT, "deploy/prometheus/labforge-rules.yml");
const PROM_CONFIG = join(ROOT, "deploy/prometheus/prometheus.yml");
const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" }).status === 0;
if (!promtool) console.warn("\n!!! SKIPPING the promtool checks of deploy/prometheus: promtool is missing (apt-get install prometheus; scripts/install-test-tools.sh does)\n");

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.reverse()) await c().catch(() => undefined); cleanups = []; });

/** Every sample name labforge can export: its metrics, the state gauges, and the suffixes Prometheus derives. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  const t = await makeCore();
  cleanups.push(() => t.close());
  registerStateMetrics(metrics.registry, t.core.app.db, "10.0.0.1-10.0.0.9", t.clock);
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === "histogram") for (const s of ["_bucket", "_count", "_sum"]) names.add(m.name + s);
  }
  return names;
}

async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("alert rules", () => {
  it("cover what goes wrong in practice, each with a severity and a summary, on metrics that exist", async () => {
    const doc = parse(readFileSync(RULES, "utf8")) as { groups: { name: string; rules: Rule[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      "LabforgeChatDisconnected", "LabforgeChatRateLimited", "LabforgeDown", "LabforgeIpPoolExhausted",
      "LabforgeIpPoolNearlyFull", "LabforgeJobsFailing", "LabforgeJobsStuck", "LabforgeQueueNotDraining",
    ]);
    const exported = await exportedNames();
    for (const r of rules) {
      expect(["warning", "critical"], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      for (const [name] of r.expr.matchAll(/\blabforge_[a-z_]+/g)) expect(exported, `${r.alert} uses ${name}`).toContain(name);
    }
    // The scrape job's name is the one LabforgeDown watches.
    const config = parse(readFileSync(PROM_CONFIG, "utf8")) as { scrape_configs: { job_name: string; metrics_path: string }[]; rule_files: string[] };
    expect(config.scrape_configs.map((s) => [s.job_name, s.metrics_path])).toEqual([["labforge", "/metrics"]]);
    expect(rules.find((r) => r.alert === "LabforgeDown")!.expr).toContain('job="labforge"');
    expect(config.rule_files).toEqual(["labforge-rules.yml"]);
  });

  it.skipIf(!promtool)("pass promtool check config/rules and the rule unit tests (each alert fires, a healthy bot raises none)", () => {
    for (const args of [["check", "config", PROM_CONFIG], ["check", "rules", RULES], ["test", "rules", "test/fixtures/prometheus/rules.test.yml"]]) {
      const r = spawnSync("promtool", args, { cwd: ROOT, encoding: "utf8" });
      expect(r.status, `promtool ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});

describe("state gauges", () => {
  it("report the free pool, finished jobs by outcome and the oldest wait, from the database", async () => {
    const t = await makeCore();
    cleanups.push(() => t.close());
    const registry = new Registry();
    registerStateMetrics(registry, t.core.app.db, t.config.network.pool, t.clock);
    const value = async (name: string, labels: Record<string, string> = {}) => {
      const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name)!;
      return m.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
    };
    expect(await value("labforge_ip_pool_size")).toBe(50);
    expect(await value("labforge_ip_pool_free")).toBe(50);
    const c = await readyCluster(t, "console:eve", "gx1", { tenant: "dsg", extra: "workers=2" });
    expect(await value("labforge_ip_pool_free")).toBe(47);
    expect(await value("labforge_jobs_finished", { kind: "provision", state: "succeeded" })).toBe(1);
    expect(await value("labforge_queue_oldest_wait_seconds")).toBe(0);
    // A job that has waited 90 s (written straight to the table, so no worker takes it first).
    const now = t.clock.now();
    t.core.app.db.sqlite.prepare("INSERT INTO jobs (kind, cluster_id, tenant, owner, state, dedupe_key, run_at, created_at) VALUES ('destroy', ?, 'dsg', 'console:eve', 'queued', 'test-wait', ?, ?)")
      .run(c.id, now - 90_000, now - 90_000);
    expect(await value("labforge_queue_oldest_wait_seconds")).toBe(90);
    t.core.app.db.sqlite.prepare("UPDATE jobs SET state = 'failed' WHERE dedupe_key = 'test-wait'").run();
    expect(await value("labforge_jobs_finished", { kind: "destroy", state: "failed" })).toBe(1);
    expect(await value("labforge_queue_oldest_wait_seconds")).toBe(0);
  });

  it("labforge_chat_connected follows the Slack Socket Mode connection: 1 when up, 0 when Slack goes away", async () => {
    const fake = new FakeSlack({ rateScale: 20 });
    await fake.start();
    cleanups.push(() => fake.stop());
    const t = await makeCore({ config: slackConfig() });
    cleanups.push(() => t.close());
    const metrics = createMetrics(false);
    const log = createLogger("silent", new Redactor());
    const connected = async () => (await metrics.chatConnected.get()).values.find((v) => v.labels.platform === "slack")?.value;
    const slack: RunningSlack = await startSlack({
      core: t.core, settings: { mode: "socket", botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl }, log, metrics, rateScale: 20,
    });
    cleanups.push(() => slack.stop());
    await fake.socketConnected();
    await eventually(async () => (await connected()) === 1, "connected = 1");
    await fake.stop(); // the socket drops and reconnects fail
    await eventually(async () => (await connected()) === 0, "connected = 0");
  });
});

describe("labforge_chat_connected on Discord", () => {
  it("is 1 once the gateway is ready and 0 after the adapter stops", async () => {
    const { startDiscordTest } = await import("../discord/helpers.ts");
    const d = await startDiscordTest();
    cleanups.push(() => d.close());
    const connected = async () => (await d.metrics.chatConnected.get()).values.find((v) => v.labels.platform === "discord")?.value;
    await eventually(async () => (await connected()) === 1, "discord connected = 1");
    await d.adapter.stop();
    expect(await connected()).toBe(0);
  });
});
