/** Builds a real core (real SQLite in a temp dir, simulated driver) for tests, with a recording chat port. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Core } from "../../src/core/core.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { createLogger } from "../../src/log.ts";
import { createMetrics } from "../../src/metrics.ts";
import { Redactor } from "../../src/util/redact.ts";
import { ManualClock, type Clock } from "../../src/util/clock.ts";
import type { ActionName, Reply } from "../../src/kernel/cards.ts";
import type { InfraDriver } from "../../src/provisioning/driver.ts";
import { RecordingPort } from "./recording-port.ts";

/** A small department: cs401 (students need approval) and dsg (no approvals). */
export function baseConfig(): Record<string, unknown> {
  return {
    admins: ["console:root"],
    tenants: {
      cs401: {
        name: "CS401", channels: ["console:#cs401"], approvals: "students",
        quota: { clusters: 4, nodes: 10, vcpus: 20, memory_gb: 40 },
        limits: { max_workers: 3, per_user_clusters: 1, default_ttl: "14d", max_ttl: "30d" },
      },
      dsg: { name: "DSG", channels: ["console:#dsg"], approvals: "none", limits: { max_workers: 2, per_user_clusters: 5 } },
    },
    members: [
      { name: "Ada", identities: ["console:ada"], roles: { cs401: "instructor" } },
      { name: "Tim", identities: ["console:tim"], roles: { cs401: "ta" } },
      { name: "Bob", identities: ["console:bob"], roles: { cs401: "student" } },
      { name: "Carol", identities: ["console:carol"], roles: { cs401: "student" } },
      { name: "Vic", identities: ["console:vic"], roles: { cs401: "viewer" } },
      { name: "Dan", identities: ["console:dan"], roles: { dsg: "instructor" } },
      { name: "Eve", identities: ["console:eve"], roles: { dsg: "student" } },
    ],
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
    infra: { driver: "simulated", simulated: { step_ms: 0 } },
  };
}

export interface TestCore {
  core: Core;
  port: RecordingPort;
  clock: Clock;
  dataDir: string;
  logs: string[];
  config: Config;
  /** Runs `/cluster <text>` as `identity` in `channel`. */
  cmd(identity: string, text: string, channel?: string, deliveryId?: string): Promise<Reply>;
  /** Presses a button as `identity`. */
  press(identity: string, action: ActionName, value: string, deliveryId?: string): Promise<Reply>;
  /** Waits until jobs and chat traffic settle. */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** Stops like a crash would leave it: accepted inbox entries and queued chat calls are not waited for. */
  crash(): Promise<void>;
}

export interface TestCoreOptions {
  config?: Record<string, unknown>;
  clock?: Clock;
  driver?: (config: Config, dataDir: string) => InfraDriver;
  dataDir?: string;
  secretKey?: Buffer;
  redactor?: Redactor;
  /** LABFORGE_PUBLIC_URL (web sign-in links). */
  publicUrl?: string;
  /** False: the caller starts the core (after plugging its adapters in, as main.ts does). */
  start?: boolean;
}

/** Starts a core on a fresh temp data dir (or the given one, to test restarts). */
export async function makeCore(opts: TestCoreOptions = {}): Promise<TestCore> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "labforge-test-"));
  const config = parseConfig(opts.config ?? baseConfig(), "test config");
  const logs: string[] = [];
  const redactor = opts.redactor ?? new Redactor();
  const log = createLogger("debug", redactor, new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }) as never);
  const clock = opts.clock ?? new ManualClock(Date.now());
  const core = new Core({
    config, dataDir, secretKey: opts.secretKey ?? randomBytes(32), clock, log, metrics: createMetrics(false), redactor,
    driver: opts.driver?.(config, dataDir), sweepIntervalMs: 3_600_000, jobRetryDelayMs: 0,
    publicUrl: opts.publicUrl,
  });
  const port = new RecordingPort();
  core.router.register(port);
  if (opts.start !== false) await core.start();
  let n = 0;
  return {
    core, port, clock, dataDir, logs, config,
    cmd: (identity, text, channel = "console:#cs401", deliveryId) =>
      core.dispatcher.handleCommand({ actor: { identity }, where: { channel }, text, deliveryId }),
    press: (identity, action, value, deliveryId) =>
      core.dispatcher.handleAction({ actor: { identity }, where: { channel: "console:#cs401" }, action, value, deliveryId: deliveryId ?? `press-${++n}` }),
    idle: () => core.idle(),
    close: async () => {
      await core.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    crash: () => core.stop({ drainMs: 0, chatFlushMs: 0 }),
  };
}
