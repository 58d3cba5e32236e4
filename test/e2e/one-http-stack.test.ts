/**
 * Guard against HTTP-stack clashes between chat libraries: one process loads every adapter module (both orders),
 * then each platform's real client library sends a file by DM to the fakes. Slack's undici 7 once broke every
 * Discord attachment this way ("TypeError: action is not a function") while each platform's own tests passed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { FakeDiscord } from "../fakes/discord/fake-discord.ts";
import { ROOT } from "../helpers/bot-process.ts";

const CHANNEL = "1100000000000000001";
const DISCORD_USER = "1200000000000000003";

let slack: FakeSlack | undefined;
let discord: FakeDiscord | undefined;
afterEach(async () => { await slack?.stop(); await discord?.stop(); slack = discord = undefined; });

/** Runs the child with the fakes' addresses; resolves with its JSON report (or fails with its stderr). */
function runChild(order: string): Promise<Record<string, any>> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "send-files-child.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ADAPTER_ORDER: order,
      SLACK_BOT_TOKEN: slack!.botToken, SLACK_APP_TOKEN: slack!.appToken, SLACK_API_URL: slack!.apiUrl, SLACK_USER: "U0BOB",
      DISCORD_TOKEN: discord!.token, DISCORD_APPLICATION_ID: discord!.applicationId, DISCORD_GUILD_ID: discord!.guildId,
      DISCORD_API_URL: discord!.apiUrl, DISCORD_USER, DISCORD_CHANNEL: CHANNEL,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => { out += String(d); });
  child.stderr.on("data", (d) => { err += String(d); });
  return new Promise((resolve, reject) => child.on("close", (code) => {
    const line = out.split("\n").find((l) => l.startsWith("{"));
    if (code !== 0 || !line) reject(new Error(`child exited ${code}\n${err.slice(-2000)}`));
    else resolve(JSON.parse(line) as Record<string, any>);
  }));
}

describe("every adapter in one process", () => {
  for (const order of ["slack,discord", "discord,slack"]) {
    it(`sends a file through Slack's and Discord's real clients with the modules loaded ${order.replace(",", " before ")}`, async () => {
      slack = new FakeSlack();
      await slack.start();
      discord = await new FakeDiscord({ channels: [CHANNEL] }).start();

      const report = await runChild(order);
      console.info(`[one-http-stack] ${order}: ${report.modules} adapter modules; undici loaded: ${report.undici.join(", ")}`);
      expect(report.slack).toEqual({ ref: expect.stringMatching(/^slack:DU0BOB:file:F/) });
      expect(report.discord).toEqual({ ref: expect.stringMatching(/^discord:\d+:\d+$/) });

      // The recorded calls: the bytes arrived as a file in each user's DM, under its name.
      expect(slack.files.map((f) => ({ channel: f.channel, filename: f.filename, content: f.content })))
        .toEqual([{ channel: "DU0BOB", filename: "cs401-slack.kubeconfig", content: "apiVersion: v1\n# sent via slack\n" }]);
      const dm = discord.dmsTo(DISCORD_USER);
      expect(dm.map((m) => m.attachments.map((a) => [a.filename, a.content]))).toEqual([[["cs401-discord.kubeconfig", "apiVersion: v1\n# sent via discord\n"]]]);
    });
  }
});
