/** Starts the Slack adapter: a Bolt app in Socket Mode or HTTP mode (sharing labforge's HTTP server), and its ChatPort. */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger } from "@slack/bolt";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { HttpServer } from "../../src/http/server.ts";
import type { Logger } from "../../src/log.ts";
import type { Metrics } from "../../src/metrics.ts";
import type { SlackMode } from "./mode.ts";
import { SlackLimiter } from "./limiter.ts";
import { SlackPort } from "./port.ts";
import { registerHandlers } from "./handlers.ts";

export interface SlackOptions {
  core: InboundPort;
  settings: SlackMode;
  /** Required in HTTP mode: requests arrive at POST /slack/events on this server. */
  http?: HttpServer;
  log: Logger;
  metrics: Metrics;
  /** Multiplies the client-side rate limits (tests only; 1 in production). */
  rateScale?: number;
}

export interface RunningSlack {
  port: SlackPort;
  limiter: SlackLimiter;
  stop(): Promise<void>;
}

/** Connects to Slack (auth.test first, so a bad token stops the start with a clear error) and registers the port. */
export async function startSlack(o: SlackOptions): Promise<RunningSlack> {
  const logger = boltLogger(o.log);
  const clientOptions = { slackApiUrl: o.settings.apiUrl, rejectRateLimitedCalls: false };
  const receiver = o.settings.mode === "socket"
    ? new SocketModeReceiver({ appToken: o.settings.appToken, logger, installerOptions: { clientOptions } })
    : new HTTPReceiver({ signingSecret: o.settings.signingSecret, endpoints: "/slack/events", logger, processBeforeResponse: false });
  const identity = await checkToken(o.settings.botToken, o.settings.apiUrl, logger);
  const app = new App({
    token: o.settings.botToken, botId: identity.botId, botUserId: identity.userId, tokenVerificationEnabled: false,
    receiver, logger, clientOptions,
  });
  app.client.on(webApi.WebClientEvent.RATE_LIMITED, () => o.metrics.rateLimitWaits.inc({ platform: "slack", method: "429" }));
  const limiter = new SlackLimiter(app.client, { rateScale: o.rateScale, metrics: o.metrics });
  const port = new SlackPort(limiter, o.core.dmChannels);
  o.core.connect(port);
  registerHandlers(app, { core: o.core, port, limiter, log: o.log });

  const connected = (up: boolean) => o.metrics.chatConnected.set({ platform: "slack" }, up ? 1 : 0);
  if (o.settings.mode === "http") {
    if (!o.http) throw new Error("Slack's HTTP mode needs the HTTP server");
    connected(true); // Slack calls us: there is no connection to watch, only the token auth.test accepted
    const http = receiver as HTTPReceiver;
    o.http.addRoute((req, res) => {
      if ((req.url ?? "").split("?")[0] !== "/slack/events") return false;
      o.core.acks.enter();
      res.once("close", () => o.core.acks.leave());
      http.requestListener(req, res);
      return true;
    });
    return { port, limiter, stop: async () => { connected(false); } };
  }
  // Socket Mode's client reports its WebSocket's state; Bolt reconnects by itself.
  const socket = (receiver as SocketModeReceiver).client;
  socket.on("connected", () => connected(true));
  for (const down of ["disconnected", "reconnecting"]) socket.on(down, () => connected(false));
  await app.start();
  return { port, limiter, stop: async () => { await app.stop(); connected(false); } };
}

/** One auth.test with few retries, so a wrong token or URL stops the start at once with a clear message. */
async function checkToken(token: string, apiUrl: string | undefined, logger: BoltLogger): Promise<{ botId?: string; userId?: string }> {
  const client = new webApi.WebClient(token, { slackApiUrl: apiUrl, logger, retryConfig: { retries: 1, minTimeout: 500, maxTimeout: 1000 } });
  try {
    const r = await client.auth.test();
    return { botId: r.bot_id, userId: r.user_id };
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; message: string };
    if (e.data?.error) throw new Error(`Slack did not accept SLACK_BOT_TOKEN (${e.data.error}); copy the Bot User OAuth Token again`);
    throw new Error(`cannot reach Slack's Web API at ${apiUrl ?? "https://slack.com/api/"} (${e.message}); check the network or SLACK_API_URL`);
  }
}

/** Bolt's logger interface on top of pino (secrets are redacted there). */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: "slack" });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(" ")),
    info: (...m: unknown[]) => child.info(m.map(String).join(" ")),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(" ")),
    error: (...m: unknown[]) => child.error(m.map(String).join(" ")),
    setLevel: (l: LogLevel) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}
