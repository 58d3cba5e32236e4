/**
 * The web page beside Slack's HTTP mode in the real bot process (issue 15): `/cluster web` typed in Slack DMs a link,
 * the link signs in on the same port that serves /slack/events and /healthz, and the page shows the Slack person.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { slackSignature, slashCommandBody } from "../fakes/slack/signing.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";
import { SECRET, slackConfig, waitFor } from "../slack/helpers.ts";
import { freePort } from "./rig.ts";

let slack: FakeSlack | undefined;
let bot: BotProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  bot?.child.kill("SIGKILL");
  await slack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  bot = slack = dir = undefined;
});

it("Slack's /cluster web DMs a link that signs in on the port Slack's events use", async () => {
  slack = new FakeSlack();
  await slack.start();
  dir = mkdtempSync(join(tmpdir(), "labforge-web-slack-"));
  writeFileSync(join(dir, "labforge.yaml"), JSON.stringify(slackConfig()));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  bot = startBot({
    LABFORGE_DATA_DIR: join(dir, "state"), LABFORGE_CONFIG: join(dir, "labforge.yaml"), PORT: String(port), LOG_LEVEL: "info",
    SLACK_BOT_TOKEN: slack.botToken, SLACK_MODE: "http", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl,
    LABFORGE_PUBLIC_URL: base,
  });
  await waitFor(() => bot!.stderr().includes('"msg":"labforge started"'), "the bot to start", 20_000);

  const responseUrl = slack.responseUrl();
  const body = slashCommandBody({ user_id: "U0BOB", channel_id: "C0CS401", text: "web", trigger_id: "trig-web-1", response_url: responseUrl });
  const r = await fetch(`${base}/slack/events`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(SECRET, body) } });
  expect(r.status).toBe(200);
  const dm = await waitFor(() => [...slack!.messages.values()].find((m) => JSON.stringify(m.blocks ?? m.text).includes("/login/")), "the sign-in DM", 10_000);
  expect(dm.channel).toMatch(/^D/); // a direct message, never the course channel
  const link = new RegExp(`${base}/login/[A-Za-z0-9_-]{43}`).exec(JSON.stringify(dm.blocks ?? dm.text))![0];
  const reply = await waitFor(() => slack!.responses.find((x) => responseUrl.endsWith(x.id)), "the Slack reply", 10_000);
  expect(JSON.stringify(reply.body)).not.toContain("/login/");

  const signIn = await fetch(link, { redirect: "manual" });
  expect(signIn.status).toBe(303);
  const cookie = /lf_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
  const home = await fetch(`${base}/`, { headers: { cookie } });
  expect(home.status).toBe(200);
  expect(await home.text()).toContain("Bob (slack:U0BOB)");
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  // Slack's route is still Slack's: an unsigned request is refused by Bolt, not answered by the web page.
  expect((await fetch(`${base}/slack/events`, { method: "POST", body: "x=1", headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(401);
  expect(bot.stderr()).not.toContain(link.split("/").at(-1)!);
}, 60_000);
