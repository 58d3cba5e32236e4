/** Entry point: settings and config, the core, the HTTP server, and the chat adapters (console when no chat tokens are set). */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { loadSettings, secretValues, type Settings } from "./config/settings.ts";
import { loadConfigFile } from "./config/load.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { Redactor } from "./util/redact.ts";
import { systemClock } from "./util/clock.ts";
import { loadSecretKey } from "./secrets/secret-key.ts";
import { looseStateModes, octal } from "./secrets/state-modes.ts";
import { Core } from "./core/core.ts";
import { HttpServer } from "./http/server.ts";
import { registerStateMetrics } from "./ops/state-metrics.ts";
import type { ConsoleChat } from "../adapters/console/console-chat.ts";
import { slackMode, type SlackMode } from "../adapters/slack/mode.ts";
import { startWeb } from "../adapters/web/start.ts";

async function main(): Promise<number> {
  let settings: Settings;
  let loaded;
  let slack: SlackMode | undefined;
  try {
    settings = loadSettings(process.env);
    loaded = loadConfigFile(settings.configPath, settings.configExplicit);
    slack = slackMode(settings);
  } catch (e) {
    // ConfigError lists every problem; the Slack settings say which variable to set.
    if (!(e instanceof Error)) throw e;
    process.stderr.write(`labforge cannot start: ${e.message}\n`);
    return 2;
  }
  const config = loaded.config;
  if (settings.LABFORGE_INFRA) config.infra.driver = settings.LABFORGE_INFRA;
  const discord = settings.DISCORD_TOKEN;
  if (discord && (!settings.DISCORD_APPLICATION_ID || !settings.DISCORD_GUILD_ID)) {
    process.stderr.write("labforge cannot start: DISCORD_APPLICATION_ID and DISCORD_GUILD_ID are required with DISCORD_TOKEN (see docs/discord.md)\n");
    return 2;
  }

  const dataDir = resolve(settings.LABFORGE_DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const redactor = new Redactor();
  redactor.add(...secretValues(settings));
  // The console is the chat: keep logs to warnings there unless LOG_LEVEL asks for more.
  const chatMode = slack !== undefined || discord !== undefined;
  const log = createLogger(process.env.LOG_LEVEL ? settings.LOG_LEVEL : chatMode ? "info" : "warn", redactor);
  const metrics = createMetrics();
  // Warn, not fix: an operator may have loosened them on purpose (a backup group); they should know.
  for (const l of looseStateModes(dataDir)) {
    log.warn({ path: l.path, mode: octal(l.mode) }, `${l.path} is mode ${octal(l.mode)}: other local users can read labforge's state; chmod ${octal(l.want)} ${l.path}`);
  }
  const secretKey = loadSecretKey(dataDir, settings.LABFORGE_SECRET_KEY);

  let core: Core;
  try {
    // With a chat platform, one root-message update per cluster per second is plenty and spares the rate limits.
    core = new Core({
      config, dataDir, secretKey, clock: systemClock, log, metrics, redactor, minUpdateIntervalMs: chatMode ? 1000 : 0,
      proxmoxTokenSecret: settings.PROXMOX_TOKEN_SECRET, sweepIntervalMs: settings.LABFORGE_SWEEP_INTERVAL_MS,
      publicUrl: settings.LABFORGE_PUBLIC_URL,
    });
  } catch (e) {
    process.stderr.write(`labforge cannot start: ${(e as Error).message}\n`);
    return 2;
  }
  registerStateMetrics(metrics.registry, core.app.db, config.network.pool, systemClock);
  const http = new HttpServer(core, { host: settings.METRICS_HOST, token: settings.METRICS_TOKEN });
  let port: number | undefined;
  try {
    port = await http.listen(settings.PORT);
  } catch (e) {
    // The console works without HTTP; a chat deployment needs it (health checks, Slack's HTTP mode).
    const where = `${(e as { address?: string }).address ?? "0.0.0.0"}:${settings.PORT}`;
    if (chatMode) { process.stderr.write(`labforge cannot start: cannot listen on ${where} (${(e as NodeJS.ErrnoException).code}); set PORT to a free port, or METRICS_HOST to an address of this machine\n`); return 2; }
    log.warn({ address: where, code: (e as NodeJS.ErrnoException).code }, "HTTP server not started (/healthz, /metrics unavailable); set PORT to a free port");
  }
  if (settings.LABFORGE_PUBLIC_URL && port !== undefined) startWeb({ core, web: core.web, http, publicUrl: settings.LABFORGE_PUBLIC_URL, log });
  const stops: (() => Promise<void>)[] = [];
  let chat: ConsoleChat | undefined;
  try {
    // Each chat library is loaded only when its platform is configured (Bolt and discord.js are 30 and 20 MB of
    // memory); both load side by side when both are, and work together (adapters/discord/rest-agent.ts).
    if (slack) {
      const { startSlack } = await import("../adapters/slack/start.ts");
      stops.push((await startSlack({ core, settings: slack, http, log, metrics })).stop);
    }
    if (discord) {
      const { startDiscord } = await import("../adapters/discord/start.ts");
      stops.push((await startDiscord({
        core, token: discord, applicationId: settings.DISCORD_APPLICATION_ID!, guildId: settings.DISCORD_GUILD_ID!,
        apiUrl: settings.DISCORD_API_URL, log, metrics,
      })).stop);
    }
  } catch (e) {
    process.stderr.write(`labforge cannot start: ${(e as Error).message}\n`);
    await http.close();
    return 2;
  }
  if (!chatMode) chat = new (await import("../adapters/console/console-chat.ts")).ConsoleChat({ core, input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY) });
  await core.start();
  // Logged once recovery and the queue are running: "started" means ready.
  log.info({ config: loaded.source, dataDir, driver: core.app.driver.name, port, slack: slack?.mode ?? "off", discord: discord ? "on" : "off" }, "labforge started");

  // Graceful: take nothing new, finish and answer what was acknowledged (the adapters are still up to answer),
  // stop jobs where they can resume, then disconnect.
  const shutdown = async (signal: string) => {
    log.info({ signal }, "stopping");
    core.refuseNew();
    await core.stop();
    for (const stop of stops) await stop().catch(() => {});
    await http.close();
    log.info({ signal }, "stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  if (!chat) return new Promise<number>(() => {}); // chat adapters run until a signal
  await chat.run();
  await core.stop();
  await http.close();
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`labforge crashed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
