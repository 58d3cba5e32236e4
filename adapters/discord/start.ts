/** Starts the Discord adapter: gateway login, `/cluster` registration in the guild, and the ChatPort for the core. */
import { once } from "node:events";
import { Client, Events, GatewayIntentBits, Partials, Routes, type REST } from "discord.js";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { Logger } from "../../src/log.ts";
import type { Metrics } from "../../src/metrics.ts";
import { buildClusterCommand } from "./command-options.ts";
import { DiscordPort } from "./discord-port.ts";
import { handleInteraction, type HandlerContext } from "./handlers.ts";
import { OpenInteractions, TOKEN_LIFE_MS } from "./open-interactions.ts";
import { isSnowflake } from "./refs.ts";
import { call, sanitize } from "./rest-errors.ts";
import { countRestCalls } from "./rest-metrics.ts";
import { createRestAgent } from "./rest-agent.ts";

export interface DiscordOptions {
  core: InboundPort;
  token: string;
  applicationId: string;
  guildId: string;
  /** REST base URL such as `https://discord.com/api` (DISCORD_API_URL); the gateway URL comes from `GET /gateway/bot` there. */
  apiUrl?: string;
  log: Logger;
  metrics: Metrics;
  /** How long an interaction token is used (default 14 minutes of Discord's 15). */
  tokenLifeMs?: number;
  /** How long to wait for READY and the guild (default 30 s). */
  readyTimeoutMs?: number;
}

export interface DiscordAdapter {
  stop(): Promise<void>;
}

/** Logs in, registers `/cluster` (bulk overwrite, so repeating it is harmless) and registers the `discord` ChatPort. */
export async function startDiscord(opts: DiscordOptions): Promise<DiscordAdapter> {
  if (!opts.token.trim()) throw new Error("DISCORD_TOKEN is empty");
  if (!isSnowflake(opts.applicationId)) throw new Error("DISCORD_APPLICATION_ID must be the application's numeric id (Developer Portal → General Information → Application ID)");
  if (!isSnowflake(opts.guildId)) throw new Error("DISCORD_GUILD_ID must be the server's numeric id (Developer Mode on, right-click the server → Copy Server ID)");
  const log = opts.log.child({ adapter: "discord" });
  // Only Guilds: interactions arrive without any intent, and no privileged intent (members, presences, message content) is needed.
  // Partial channels: an interaction from a thread the cache never saw (archived, or older than this process) still has its parent.
  // Its own agent: never the process-wide dispatcher another library (Slack's undici 7) installed; see rest-agent.ts.
  const agent = createRestAgent();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds], partials: [Partials.Channel], rest: { api: apiBase(opts.apiUrl), agent }, allowedMentions: { parse: [] },
  });
  // Once only: a closed agent refuses a second close, and callers (shutdown, tests) may stop twice.
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= (async () => { await client.destroy(); await agent.close(); })());
  countRestCalls(client.rest, opts.metrics, log);
  const open = new OpenInteractions(opts.tokenLifeMs ?? TOKEN_LIFE_MS);
  const port = new DiscordPort(client.rest, log, open, opts.core.dmChannels);
  const ctx: HandlerContext = { core: opts.core, log, port, open };
  client.on(Events.InteractionCreate, (i) => void handleInteraction(ctx, i));
  client.on(Events.Error, (err) => log.error({ err: sanitize(err, "gateway") }, "Discord client error"));
  client.on(Events.ShardDisconnect, (event) => log.warn({ code: event.code }, "Discord gateway closed for good; check the token and intents"));
  const connected = (up: boolean) => opts.metrics.chatConnected.set({ platform: "discord" }, up ? 1 : 0);
  client.on(Events.ShardReady, () => connected(true));
  client.on(Events.ShardResume, () => connected(true));
  client.on(Events.ShardDisconnect, () => connected(false));
  client.on(Events.ShardReconnecting, () => connected(false));
  const ready = once(client, Events.ClientReady);
  let timer: NodeJS.Timeout | undefined;
  try {
    await client.login(opts.token);
    await Promise.race([ready, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("no READY and guild from the gateway in time")), opts.readyTimeoutMs ?? 30_000); })]);
    await registerCommands(client.rest, opts.applicationId, opts.guildId, opts.core);
  } catch (err) {
    await stop();
    throw new Error(`the Discord adapter could not start: ${sanitize(err, "start").message}`);
  } finally {
    clearTimeout(timer);
  }
  opts.core.connect(port);
  log.info({ guild: opts.guildId }, "Discord adapter ready; /cluster registered");
  return { stop: async () => { await stop(); connected(false); } };
}

/** Replaces the guild's commands with `/cluster` as the grammar declares it today. */
async function registerCommands(rest: REST, applicationId: string, guildId: string, core: InboundPort): Promise<void> {
  const body = [buildClusterCommand(core.config)];
  await call("register commands", () => rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body }));
}

/** The REST base without a version (discord.js appends `/v10`); accepts a URL given with or without `/v10`. */
function apiBase(apiUrl: string | undefined): string {
  if (!apiUrl) return "https://discord.com/api";
  const url = new URL(apiUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("DISCORD_API_URL must be an http(s) URL such as https://discord.com/api");
  return url.toString().replace(/\/+$/, "").replace(/\/v[0-9]+$/, "");
}
