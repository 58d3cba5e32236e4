/** Entry point: settings and config, the core, the HTTP server, and the chat adapters (console when no chat tokens are set). */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { loadSettings, secretValues, type Settings } from "./config/settings.ts";
import { ConfigError, loadConfigFile } from "./config/load.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { Redactor } from "./util/redact.ts";
import { systemClock } from "./util/clock.ts";
import { loadSecretKey } from "./secrets/secret-key.ts";
import { Core } from "./core/core.ts";
import { HttpServer } from "./http/server.ts";
import { ConsoleChat } from "../adapters/console/console-chat.ts";

async function main(): Promise<number> {
  let settings: Settings;
  let loaded;
  try {
    settings = loadSettings(process.env);
    loaded = loadConfigFile(settings.configPath, settings.configExplicit);
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`labforge cannot start: ${e.message}\n`); return 2; }
    throw e;
  }
  const config = loaded.config;
  if (settings.LABFORGE_INFRA) config.infra.driver = settings.LABFORGE_INFRA;
  const chatTokens = settings.SLACK_BOT_TOKEN || settings.DISCORD_TOKEN;
  if (chatTokens) {
    process.stderr.write("labforge cannot start: the Slack and Discord adapters are not part of this build yet; unset SLACK_BOT_TOKEN and DISCORD_TOKEN to use the console\n");
    return 2;
  }

  const dataDir = resolve(settings.LABFORGE_DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const redactor = new Redactor();
  redactor.add(...secretValues(settings));
  // The console is the chat: keep logs to warnings there unless LOG_LEVEL asks for more.
  const log = createLogger(process.env.LOG_LEVEL ? settings.LOG_LEVEL : "warn", redactor);
  const metrics = createMetrics();
  const secretKey = loadSecretKey(dataDir, settings.LABFORGE_SECRET_KEY);

  let core: Core;
  try {
    core = new Core({ config, dataDir, secretKey, clock: systemClock, log, metrics, redactor });
  } catch (e) {
    process.stderr.write(`labforge cannot start: ${(e as Error).message}\n`);
    return 2;
  }
  const interactive = Boolean(process.stdin.isTTY);
  const chat = new ConsoleChat({ core, input: process.stdin, output: process.stdout, interactive });
  const http = new HttpServer(core);
  const port = await http.listen(settings.PORT).catch((e: NodeJS.ErrnoException) => {
    log.warn({ port: settings.PORT, code: e.code }, "HTTP server not started (/healthz, /metrics unavailable); set PORT to a free port");
    return undefined;
  });
  log.info({ config: loaded.source, dataDir, driver: core.app.driver.name, port }, "labforge started");
  await core.start();

  const shutdown = async (signal: string) => {
    log.info({ signal }, "stopping");
    await core.stop();
    await http.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  await chat.run();
  await core.stop();
  await http.close();
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  process.stderr.write(`labforge crashed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
