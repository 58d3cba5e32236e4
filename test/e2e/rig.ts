/**
 * The real bot process (`node dist/src/main.js`, built as `npm start` builds it, as `npm start` runs it) with Slack and Discord enabled
 * together against the local fakes, plus what a user does on each platform: Slack slash commands and button presses
 * (signed HTTP requests, or Socket Mode envelopes), Discord slash commands and presses through the fake gateway.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { FakeDiscord } from "../fakes/discord/fake-discord.ts";
import type { FakeUser, StoredMessage } from "../fakes/discord/payloads.ts";
import { interactionBody, slackSignature, slashCommandBody } from "../fakes/slack/signing.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";
import { blockAction, waitFor } from "../slack/helpers.ts";

export const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";
export const DISCORD_CHANNEL = "1100000000000000001";
/** Discord users: Ada (also on Slack as U0ADA, the instructor) and Bob (a student only on Discord). */
export const DISCORD = {
  ada: { id: "1200000000000000001", username: "ada" },
  bob: { id: "1200000000000000003", username: "bob" },
} satisfies Record<string, FakeUser>;
/** Slack users: Ada (instructor, also on Discord) and Carol (a student only on Slack). */
export const SLACK = { ada: "U0ADA", carol: "U0CAROL" };
export const SLACK_CHANNEL = "C0CS401";
export const STAFF_CHANNEL = "C0STAFF";

/** One course on both platforms; approvals go to the Slack staff channel; small simulated steps keep runs short. */
export function bothPlatformsConfig(): Record<string, unknown> {
  return {
    tenants: {
      cs401: {
        name: "CS401", channels: [`slack:${SLACK_CHANNEL}`, `discord:${DISCORD_CHANNEL}`], approvals: "students",
        approval_channel: `slack:${STAFF_CHANNEL}`, limits: { max_workers: 2, per_user_clusters: 1, default_ttl: "14d", max_ttl: "30d" },
      },
    },
    members: [
      { name: "Ada Lovelace", identities: [`slack:${SLACK.ada}`, `discord:${DISCORD.ada.id}`], roles: { cs401: "instructor" } },
      { name: "Bob", identities: [`discord:${DISCORD.bob.id}`], roles: { cs401: "student" } },
      { name: "Carol", identities: [`slack:${SLACK.carol}`], roles: { cs401: "student" } },
    ],
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
    infra: { driver: "simulated", simulated: { step_ms: 20 } },
  };
}

export type SlackMode = "http" | "socket";

export interface BothPlatforms {
  slack: FakeSlack;
  discord: FakeDiscord;
  bot: BotProcess;
  /** Runs `/cluster <text>` on Slack; resolves with the private answer's text. */
  slackCommand(user: string, channel: string, text: string): Promise<string>;
  /** Presses a Slack button; resolves with the answer's text. */
  slackPress(user: string, channel: string, actionId: string): Promise<string>;
  /** Runs `/cluster <sub>` on Discord in the course channel; resolves with the answer's embed title and description. */
  discordCommand(user: FakeUser, sub: string, options?: Record<string, string | number>): Promise<string>;
  /** Presses a button on a message the bot sent on Discord; resolves like discordCommand. */
  discordPress(user: FakeUser, message: StoredMessage, customId: string): Promise<string>;
  /** Stops the bot with SIGTERM and resolves with its exit code. */
  stop(): Promise<number | null>;
  close(): Promise<void>;
}

let triggers = 0;

/** Starts both fakes and the bot process with Slack in `mode` and Discord; resolves once both adapters are up. */
export async function startBothPlatforms(mode: SlackMode): Promise<BothPlatforms> {
  const slack = new FakeSlack({ rateScale: 20 });
  await slack.start();
  const discord = await new FakeDiscord({ channels: [DISCORD_CHANNEL] }).start();
  const dir = mkdtempSync(join(tmpdir(), "labforge-e2e-"));
  const configFile = join(dir, "labforge.yaml");
  writeFileSync(configFile, JSON.stringify(bothPlatformsConfig())); // JSON is YAML
  const slackEnv: Record<string, string> = mode === "http"
    ? { SLACK_MODE: "http", SLACK_SIGNING_SECRET: SIGNING_SECRET }
    : { SLACK_APP_TOKEN: slack.appToken };
  const bot = startBot({
    LABFORGE_DATA_DIR: join(dir, "data"), LABFORGE_CONFIG: configFile, LOG_LEVEL: "info", LABFORGE_SWEEP_INTERVAL_MS: "200",
    SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: slack.apiUrl, ...slackEnv,
    DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_GUILD_ID: discord.guildId, DISCORD_API_URL: discord.apiUrl,
  });
  let exited: number | null | undefined;
  void bot.exited.then((code) => { exited = code; });
  const started = await waitFor(() => {
    if (exited !== undefined) throw new Error(`the bot exited (${exited}) before it started:\n${bot.stderr().slice(-3000)}`);
    return startedLine(bot.stderr());
  }, "the bot's 'labforge started' log line", 30_000);
  if (mode === "socket") await slack.socketConnected(10_000);
  const eventsUrl = `http://127.0.0.1:${started.port}/slack/events`;

  const slackSend = async (kind: "command" | "press", payload: Record<string, unknown>, responseUrl: string): Promise<string> => {
    // The same fields either way: Socket Mode carries the slash command's form fields as a JSON object.
    const body = kind === "command" ? slashCommandBody(payload as never) : interactionBody(payload);
    if (mode === "socket") {
      await slack.sendEnvelope(kind === "command" ? "slash_commands" : "interactive", kind === "command" ? Object.fromEntries(new URLSearchParams(body)) : payload);
    } else {
      const res = await fetch(eventsUrl, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(SIGNING_SECRET, body) } });
      if (res.status !== 200) throw new Error(`Slack request answered HTTP ${res.status}`);
    }
    const id = responseUrl.slice(responseUrl.lastIndexOf("/") + 1);
    const answer = await waitFor(() => slack.responses.find((r) => r.id === id), `the answer at ${responseUrl}`, 10_000);
    return JSON.stringify(answer.body);
  };
  const discordText = async (interaction: string): Promise<string> => {
    const a = await discord.interactions.answer(interaction);
    if (a.kind !== "message") throw new Error("expected a message");
    // The bot's acknowledgement is an ephemeral deferral sent at once, the answer an edit of it: one callback only.
    const callbacks = discord.interactions.record(interaction).callbacks.map((c) => c.type);
    if (!a.deferred || !a.ephemeral || callbacks.join() !== "5") throw new Error(`expected one ephemeral deferral filled in, got callbacks ${callbacks.join()} (deferred ${a.deferred}, ephemeral ${a.ephemeral})`);
    const embed = (a.message.embeds[0] ?? {}) as { title?: string; description?: string };
    return `${embed.title ?? ""}\n${embed.description ?? ""}`;
  };
  const where = { id: DISCORD_CHANNEL };

  return {
    slack, discord, bot,
    slackCommand(user, channel, text) {
      const responseUrl = slack.responseUrl();
      return slackSend("command", { user_id: user, channel_id: channel, text, trigger_id: `trig-e2e-${++triggers}`, response_url: responseUrl }, responseUrl);
    },
    slackPress(user, channel, actionId) {
      const responseUrl = slack.responseUrl();
      return slackSend("press", blockAction(user, channel, actionId, `trig-e2e-${++triggers}`, responseUrl), responseUrl);
    },
    discordCommand: (user, sub, options = {}) => discordText(discord.interactions.slash(user, where, sub, options)),
    discordPress: (user, message, customId) => discordText(discord.interactions.press(user, message, customId)),
    async stop() {
      bot.child.kill("SIGTERM");
      return bot.exited;
    },
    async close() {
      if (exited === undefined) { bot.child.kill("SIGKILL"); await bot.exited; }
      await slack.stop();
      await discord.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bot's start line (JSON log on stderr), with the HTTP port it listens on. */
function startedLine(stderr: string): { port: number } | undefined {
  for (const line of stderr.split("\n")) {
    if (!line.includes('"labforge started"')) continue;
    const parsed = JSON.parse(line) as { port?: number };
    if (typeof parsed.port === "number") return { port: parsed.port };
  }
  return undefined;
}

/** The Slack files shared into a DM channel (`D<user>` in the fake), as name → content. */
export function slackFilesIn(slack: FakeSlack, user: string): Record<string, string> {
  return Object.fromEntries(slack.files.filter((f) => f.channel === `D${user}`).map((f) => [f.filename, f.content]));
}

/** The attachments in a Discord user's DMs, as name → content. */
export function discordFilesTo(discord: FakeDiscord, userId: string): Record<string, string> {
  return Object.fromEntries(discord.dmsTo(userId).flatMap((m) => m.attachments.map((a) => [a.filename, a.content])));
}

/** Every attachment Discord received anywhere, with the channel it went to. */
export function allDiscordFiles(discord: FakeDiscord): { channel: string; filename: string }[] {
  return [...discord.state.channels.values()].flatMap((ch) => ch.messages.flatMap((m) => m.attachments.map((a) => ({ channel: ch.id, filename: a.filename }))));
}
