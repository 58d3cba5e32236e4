import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { FakeDiscord } from "../fakes/discord/fake-discord.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";
import { slackConfig, waitFor } from "./helpers.ts";
import { CHANNEL, USERS } from "../discord/helpers.ts";

let slack: FakeSlack | undefined;
let discord: FakeDiscord | undefined;
let bot: BotProcess | undefined;
afterEach(async () => { bot?.child.kill("SIGKILL"); await slack?.stop(); await discord?.stop(); bot = slack = discord = undefined; });

function configFile(config: Record<string, any>): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "labforge-proc-"));
  const file = join(dir, "labforge.yaml");
  writeFileSync(file, JSON.stringify(config));
  return { dir, file };
}

describe("the bot process with chat settings", () => {
  it("connects to Slack (Socket Mode) and Discord from the environment in one process, answers both, stops on SIGTERM", async () => {
    slack = new FakeSlack();
    await slack.start();
    discord = await new FakeDiscord({ channels: Object.values(CHANNEL) }).start();
    const config = slackConfig() as any;
    config.tenants.cs401.channels.push(`discord:${CHANNEL.cs401}`);
    config.members.push({ name: "Bob on Discord", identities: [`discord:${USERS.bob.id}`], roles: { cs401: "student" } });
    const { dir, file } = configFile(config);
    bot = startBot({
      LABFORGE_DATA_DIR: dir, LABFORGE_CONFIG: file, LOG_LEVEL: "info",
      SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: discord.token, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_GUILD_ID: discord.guildId, DISCORD_API_URL: discord.apiUrl,
    });
    await slack.socketConnected(20_000);
    await waitFor(() => discord!.callsTo("PUT", /\/applications\/\d+\/guilds\/\d+\/commands$/)[0], "Discord command registration", 20_000);

    const url = slack.responseUrl();
    await slack.sendEnvelope("slash_commands", {
      token: "legacy", team_id: "T0LABFORGE", channel_id: "C0CS401", user_id: "U0BOB", user_name: "bob", command: "/cluster",
      text: "create lab3", api_app_id: "A0LABFORGE", trigger_id: "trig-proc-1", response_url: url,
    });
    const reply = await waitFor(() => slack!.responses.find((r) => url.endsWith(r.id)), "the Slack reply", 10_000);
    expect(reply.body.text).toContain("Request #1 sent");

    const answer = await discord.interactions.answer(discord.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "list"));
    expect(answer.kind).toBe("message");

    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    const stderr = bot.stderr();
    expect(stderr).toContain('"msg":"labforge started"');
    for (const secret of [slack.botToken, slack.appToken, discord.token]) expect(stderr).not.toContain(secret);
    bot = undefined;
  });

  it("refuses to start with a Discord token but no application or guild id", async () => {
    const { dir, file } = configFile(slackConfig());
    bot = startBot({ LABFORGE_DATA_DIR: dir, LABFORGE_CONFIG: file, DISCORD_TOKEN: "x.y.z" });
    expect(await bot.exited).toBe(2);
    expect(bot.stderr()).toContain("DISCORD_APPLICATION_ID and DISCORD_GUILD_ID are required");
    bot = undefined;
  });
});
