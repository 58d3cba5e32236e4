/**
 * Issue 13.6 through the real bot process and real Bolt (Socket Mode, against the fake Slack): a Keep-it press
 * crafted by someone who may not delete the cluster learns nothing about it, and a refusal keeps a name as typed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";
import { blockAction, slackConfig, waitFor } from "./helpers.ts";

let slack: FakeSlack | undefined;
let bot: BotProcess | undefined;
afterEach(async () => { bot?.child.kill("SIGKILL"); await slack?.stop(); bot = slack = undefined; });

describe("the Keep-it button and refusal wording, in the bot process", () => {
  it("answers a stranger's Keep-it press without the cluster's name, the owner's with it; kube-system stays lowercase", async () => {
    slack = new FakeSlack();
    await slack.start();
    const dir = mkdtempSync(join(tmpdir(), "labforge-keepit-"));
    const file = join(dir, "labforge.yaml");
    writeFileSync(file, JSON.stringify(slackConfig()));
    bot = startBot({ LABFORGE_DATA_DIR: dir, LABFORGE_CONFIG: file, SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl });
    await slack.socketConnected(20_000);
    let n = 0;
    const slash = async (user: string, text: string) => {
      const url = slack!.responseUrl();
      await slack!.sendEnvelope("slash_commands", {
        token: "legacy", team_id: "T0LABFORGE", channel_id: "C0CS401", user_id: user, user_name: user.toLowerCase(), command: "/cluster",
        text, api_app_id: "A0LABFORGE", trigger_id: `trig-keep-${++n}`, response_url: url,
      });
      return (await waitFor(() => slack!.responses.find((r) => url.endsWith(r.id)), `the reply to ${text}`, 10_000)).body;
    };
    const press = async (user: string, actionId: string) => {
      const url = slack!.responseUrl();
      await slack!.sendEnvelope("interactive", blockAction(user, "C0CS401", actionId, `trig-keep-${++n}`, url));
      return (await waitFor(() => slack!.responses.find((r) => url.endsWith(r.id)), `the reply to ${actionId}`, 10_000)).body;
    };

    // Ada (instructor, no approval needed) makes "demo", then asks to delete it: the card carries the cluster id.
    await slash("U0ADA", "create demo");
    const confirm = await slash("U0ADA", "delete demo");
    const keep = /"(lf:delete\.cancel:[^"]+)"/.exec(JSON.stringify(confirm))?.[1];
    expect(keep, JSON.stringify(confirm)).toBeDefined();

    // Carol (a student of the same tenant, not the owner) crafts the same press.
    const stranger = JSON.stringify(await press("U0CAROL", keep!));
    expect(stranger).toContain("That cluster does not exist, or it is not yours to keep");
    expect(stranger).not.toContain("demo");
    expect(JSON.stringify(await press("U0ADA", keep!))).toContain("demo was not deleted.");

    const system = JSON.stringify(await slash("U0ADA", "ns create demo kube-system"));
    expect(system).toContain("kube-system is a Kubernetes system namespace");
    expect(system).not.toContain("Kube-system");
  });
});
