/** A real core (real SQLite, simulated driver at step_ms 0) behind the real discord.js client, against the fake Discord. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Core } from "../../src/core/core.ts";
import { parseConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/log.ts";
import { createMetrics, type Metrics } from "../../src/metrics.ts";
import { Redactor } from "../../src/util/redact.ts";
import { systemClock } from "../../src/util/clock.ts";
import { startDiscord, type DiscordAdapter } from "../../adapters/discord/start.ts";
import { FakeDiscord } from "../fakes/discord/fake-discord.ts";
import type { FakeUser } from "../fakes/discord/payloads.ts";

export const CHANNEL = { cs401: "1100000000000000001", cs401staff: "1100000000000000002", dsg: "1100000000000000003", lounge: "1100000000000000009" };

export const USERS = {
  ada: { id: "1200000000000000001", username: "ada" }, // cs401 instructor
  tim: { id: "1200000000000000002", username: "tim" }, // cs401 TA
  bob: { id: "1200000000000000003", username: "bob" }, // cs401 student
  carol: { id: "1200000000000000004", username: "carol" }, // cs401 student
  vic: { id: "1200000000000000005", username: "vic" }, // cs401 viewer
  dan: { id: "1200000000000000006", username: "dan" }, // dsg instructor
  root: { id: "1200000000000000007", username: "root" }, // admin
  stranger: { id: "1200000000000000008", username: "stranger" }, // in no tenant
} satisfies Record<string, FakeUser>;

/** A department on Discord: cs401 (students need approval) and dsg (no approvals). */
export function discordConfig(opts: { approvalChannel?: boolean } = {}): Record<string, unknown> {
  const id = (u: FakeUser) => `discord:${u.id}`;
  return {
    admins: [id(USERS.root)],
    tenants: {
      cs401: {
        name: "CS401", channels: [`discord:${CHANNEL.cs401}`], approvals: "students",
        ...(opts.approvalChannel ? { approval_channel: `discord:${CHANNEL.cs401staff}` } : {}),
        limits: { max_workers: 3, per_user_clusters: 2, default_ttl: "14d", max_ttl: "30d" },
      },
      dsg: { name: "DSG", channels: [`discord:${CHANNEL.dsg}`], approvals: "none", limits: { max_workers: 2, per_user_clusters: 5 } },
    },
    members: [
      { name: "Ada", identities: [id(USERS.ada)], roles: { cs401: "instructor" } },
      { name: "Tim", identities: [id(USERS.tim)], roles: { cs401: "ta" } },
      { name: "Bob", identities: [id(USERS.bob)], roles: { cs401: "student" } },
      { name: "Carol", identities: [id(USERS.carol)], roles: { cs401: "student" } },
      { name: "Vic", identities: [id(USERS.vic)], roles: { cs401: "viewer" } },
      { name: "Dan", identities: [id(USERS.dan)], roles: { dsg: "instructor" } },
    ],
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
    infra: { driver: "simulated", simulated: { step_ms: 0 } },
  };
}

export interface DiscordTest {
  fake: FakeDiscord;
  core: Core;
  adapter: DiscordAdapter;
  metrics: Metrics;
  logs: string[];
  dataDir: string;
  secretKey: Buffer;
  /** Waits until jobs and chat traffic settle. */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** Stops like a dying process: nothing accepted is waited for. */
  crash(): Promise<void>;
}

export interface DiscordTestOptions {
  config?: Record<string, unknown>;
  tokenLifeMs?: number;
  /** The gateway's heartbeat interval (Discord's is about 41 s, so tests see none unless they shorten it). */
  heartbeatIntervalMs?: number;
  /** Runs before the core starts, e.g. to register another platform's port next to Discord's. */
  beforeStart?: (core: Core) => void;
  /** A fake and a data dir (with its secret key) of an earlier run, kept on close: this run is its restart. */
  restartOf?: { fake: FakeDiscord; dataDir: string; secretKey: Buffer };
}

/** Starts the fake Discord, a core on a temp data dir, and the adapter (which logs in and registers /cluster). */
export async function startDiscordTest(opts: DiscordTestOptions = {}): Promise<DiscordTest> {
  const fake = opts.restartOf?.fake ?? await new FakeDiscord({ channels: Object.values(CHANNEL), heartbeatIntervalMs: opts.heartbeatIntervalMs }).start();
  const dataDir = opts.restartOf?.dataDir ?? mkdtempSync(join(tmpdir(), "labforge-discord-"));
  const secretKey = opts.restartOf?.secretKey ?? randomBytes(32);
  const logs: string[] = [];
  const redactor = new Redactor();
  redactor.add(fake.token);
  const log = createLogger("debug", redactor, new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } }) as never);
  const metrics = createMetrics(false);
  const config = parseConfig(opts.config ?? discordConfig(), "discord test config");
  const core = new Core({ config, dataDir, secretKey, clock: systemClock, log, metrics, redactor, sweepIntervalMs: 3_600_000 });
  const adapter = await startDiscord({
    core, token: fake.token, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl, log, metrics,
    tokenLifeMs: opts.tokenLifeMs,
  });
  opts.beforeStart?.(core);
  await core.start();
  return {
    fake, core, adapter, metrics, logs, dataDir, secretKey,
    idle: () => core.idle(),
    close: async () => {
      await adapter.stop();
      await core.stop();
      if (opts.restartOf) return;
      await fake.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    crash: async () => {
      await adapter.stop();
      await core.stop({ drainMs: 0 });
    },
  };
}

/** Log lines at warn level or above, as `msg` texts. */
export function warnings(logs: string[]): string[] {
  return logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 40).map((l) => l.msg);
}

/** The embed of a stored message (the adapter sends one per message). */
export function embedOf(m: { embeds: unknown[] }): { title?: string; description?: string; fields?: { name: string; value: string }[] } {
  return (m.embeds[0] ?? {}) as never;
}

/** Every button custom id on a message. */
export function buttonsOf(m: { components: unknown[] }): string[] {
  return (m.components as { components: { custom_id: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id));
}
