import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";
import { slackConfig, waitFor } from "./helpers.ts";

let fake: FakeSlack;
let bot: BotProcess | undefined;
afterEach(async () => { bot?.child.kill("SIGKILL"); await fake?.stop(); });

describe("the bot process with Slack settings", () => {
  it("connects in Socket Mode from the environment, answers /cluster, and stops cleanly on SIGTERM", async () => {
    fake = new FakeSlack();
    await fake.start();
    const dir = mkdtempSync(join(tmpdir(), "labforge-slackproc-"));
    const config = join(dir, "labforge.yaml");
    writeFileSync(config, JSON.stringify(slackConfig()));
    bot = startBot({
      LABFORGE_DATA_DIR: dir, LABFORGE_CONFIG: config, LOG_LEVEL: "info",
      SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl,
    });
    await fake.socketConnected(20_000);
    const url = fake.responseUrl();
    await fake.sendEnvelope("slash_commands", {
      token: "legacy", team_id: "T0LABFORGE", channel_id: "C0CS401", user_id: "U0BOB", user_name: "bob", command: "/cluster",
      text: "create lab3", api_app_id: "A0LABFORGE", trigger_id: "trig-proc-1", response_url: url,
    });
    const reply = await waitFor(() => fake.responses.find((r) => url.endsWith(r.id)), "the reply", 10_000);
    expect(reply.body.text).toContain("Request #1 sent");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    // Logs are JSON on stderr and never carry the tokens.
    expect(bot.stderr()).toContain('"msg":"labforge started"');
    expect(bot.stderr()).not.toContain(fake.botToken);
    expect(bot.stderr()).not.toContain(fake.appToken);
    bot = undefined;
  });
});
