/**
 * The bot as users run it (`npm start`: `node dist/src/main.js`, built first, a child process) with Slack and Discord
 * enabled together against the local fakes, once with Slack in HTTP mode and once in Socket Mode. Every flow that
 * sends a file runs here: the kubeconfig when a cluster is ready, `kubeconfig` again, and `ns kubeconfig` (also for
 * someone on the other platform); and the expiry reminder with its buttons on each platform. The fakes' recorded
 * calls must show each file in the right DM and nowhere else.
 */
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../slack/helpers.ts";
import {
  allDiscordFiles, discordFilesTo, DISCORD, SLACK, SLACK_CHANNEL, slackFilesIn, STAFF_CHANNEL, startBothPlatforms, type BothPlatforms, type SlackMode,
} from "./rig.ts";

let rig: BothPlatforms | undefined;
afterEach(async () => { await rig?.close(); rig = undefined; });

const buttonsOf = (m: { components: unknown[] }): string[] =>
  (m.components as { components: { custom_id: string }[] }[]).flatMap((r) => r.components.map((c) => c.custom_id));
const slackButtons = (blocks: any[] | undefined): string[] =>
  (blocks ?? []).filter((b) => b.type === "actions").flatMap((b) => b.elements.map((e: { action_id: string }) => e.action_id));
const LONG = 20_000;

async function bothPlatformsRun(mode: SlackMode): Promise<void> {
  const e = rig = await startBothPlatforms(mode);
  const { slack, discord } = e;

  // A Discord student asks; the instructor, who is on both platforms, approves from the Slack staff channel.
  expect(await e.discordCommand(DISCORD.bob, "create", { name: "bob1", ttl: "12h" })).toContain("Request #1 sent");
  const card = await waitFor(() => [...slack.messages.values()].find((m) => m.channel === STAFF_CHANNEL && slackButtons(m.blocks).includes("lf:approve:1")), "the approval card in the Slack staff channel", LONG);
  expect(card.thread_ts).toBeUndefined();
  expect(await e.slackPress(SLACK.ada, STAFF_CHANNEL, "lf:approve:1")).toContain("Approved request #1");
  const bobKubeconfig = await waitFor(() => discordFilesTo(discord, DISCORD.bob.id)["cs401-bob1.kubeconfig"], "bob1's kubeconfig in Bob's Discord DM", LONG);
  expect(bobKubeconfig).toMatch(/kind: Config[\s\S]*server: https:\/\/10\.40\.19\.\d+:6443/);

  // A Slack student asks; the same instructor approves with the text command on Discord.
  expect(await e.slackCommand(SLACK.carol, SLACK_CHANNEL, "create carol1 ttl=12h")).toContain("Request #2 sent");
  expect(await e.discordCommand(DISCORD.ada, "approve", { request: "carol1" })).toContain("Approved request #2");
  const carolKubeconfig = await waitFor(() => slackFilesIn(slack, SLACK.carol)["cs401-carol1.kubeconfig"], "carol1's kubeconfig in Carol's Slack DM", LONG);
  expect(carolKubeconfig).toContain("kind: Config");
  expect(carolKubeconfig).not.toBe(bobKubeconfig);

  // `kubeconfig` again: the instructor asks on Slack and gets bob1's file in her Slack DM.
  expect(await e.slackCommand(SLACK.ada, SLACK_CHANNEL, "kubeconfig bob1")).toContain("is in your direct messages");
  expect(await waitFor(() => slackFilesIn(slack, SLACK.ada)["cs401-bob1.kubeconfig"], "bob1's kubeconfig in Ada's Slack DM", LONG)).toBe(bobKubeconfig);

  // Namespace kubeconfigs on each platform, and one from Slack to a Discord user.
  expect(await e.discordCommand(DISCORD.bob, "ns", { action: "create", cluster: "bob1", namespace: "team-a" })).toContain("Namespace team-a created on bob1");
  expect(await e.discordCommand(DISCORD.bob, "ns", { action: "kubeconfig", cluster: "bob1", namespace: "team-a" })).toContain("is in your direct messages");
  const bobNs = await waitFor(() => discordFilesTo(discord, DISCORD.bob.id)["cs401-bob1-team-a.kubeconfig"], "the team-a kubeconfig in Bob's Discord DM", LONG);
  expect(bobNs).toContain("namespace: team-a");
  expect(await e.slackCommand(SLACK.carol, SLACK_CHANNEL, "ns create carol1 team-b")).toContain("Namespace team-b created on carol1");
  expect(await e.slackCommand(SLACK.carol, SLACK_CHANNEL, "ns kubeconfig carol1 team-b")).toContain("is in your direct messages");
  expect(await waitFor(() => slackFilesIn(slack, SLACK.carol)["cs401-carol1-team-b.kubeconfig"], "the team-b kubeconfig in Carol's Slack DM", LONG)).toContain("namespace: team-b");
  expect(await e.slackCommand(SLACK.carol, SLACK_CHANNEL, `ns kubeconfig carol1 team-b for=discord:${DISCORD.bob.id}`)).toContain("a direct message to Bob");
  expect(await waitFor(() => discordFilesTo(discord, DISCORD.bob.id)["cs401-carol1-team-b.kubeconfig"], "the team-b kubeconfig in Bob's Discord DM", LONG)).toContain("namespace: team-b");

  // Both clusters expire within 24h, so each owner gets the reminder on their own platform, with buttons that work.
  const bobReminder = await waitFor(() => discord.dmsTo(DISCORD.bob.id).find((m) => buttonsOf(m).some((id) => id.startsWith("lf:extend:"))), "Bob's expiry reminder on Discord", LONG);
  expect(buttonsOf(bobReminder).map((id) => id.split(":")[1])).toEqual(["extend", "delete.now"]);
  expect(await e.discordPress(DISCORD.bob, bobReminder, buttonsOf(bobReminder)[0]!)).toContain("bob1 now expires");
  const carolReminder = await waitFor(() => [...slack.messages.values()].find((m) => m.channel === `D${SLACK.carol}` && slackButtons(m.blocks).some((id) => id.startsWith("lf:extend:"))), "Carol's expiry reminder on Slack", LONG);
  expect(slackButtons(carolReminder.blocks).map((id) => id.split(":")[1])).toEqual(["extend", "delete.now"]);
  expect(await e.slackPress(SLACK.carol, `D${SLACK.carol}`, slackButtons(carolReminder.blocks)[0]!)).toContain("carol1 now expires");

  // Each file went to exactly the DMs above: none in a channel or thread, none to anyone else.
  const bobDm = discord.state.dmOf.get(DISCORD.bob.id)!;
  expect(allDiscordFiles(discord).sort((a, b) => a.filename.localeCompare(b.filename))).toEqual([
    { channel: bobDm, filename: "cs401-bob1-team-a.kubeconfig" },
    { channel: bobDm, filename: "cs401-bob1.kubeconfig" },
    { channel: bobDm, filename: "cs401-carol1-team-b.kubeconfig" },
  ]);
  expect(slack.files.map((f) => `${f.channel} ${f.filename}`).sort()).toEqual([
    `D${SLACK.ada} cs401-bob1.kubeconfig`, `D${SLACK.carol} cs401-carol1-team-b.kubeconfig`, `D${SLACK.carol} cs401-carol1.kubeconfig`,
  ]);

  // Nothing failed on the way, and no token (chat or kubeconfig) reached the log.
  expect(await e.stop()).toBe(0);
  const stderr = e.bot.stderr();
  expect(stderr).not.toMatch(/dm failed|could not send/i);
  const kubeTokens = [bobKubeconfig, carolKubeconfig, bobNs].map((k) => /token: (\S+)/.exec(k)![1]!);
  for (const secret of [slack.botToken, slack.appToken, discord.token, ...kubeTokens]) expect(stderr).not.toContain(secret);
}

/** On failure, adds the bot's warnings and errors (and its last log lines) to the error, so a CI run says why. */
async function withLogOnFailure(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const lines = rig?.bot.stderr().split("\n").filter(Boolean) ?? [];
    const notable = lines.filter((l) => !l.startsWith('{"level":30') && !l.startsWith('{"level":20'));
    (err as Error).message += `\n--- bot warnings and errors ---\n${notable.slice(-30).join("\n")}\n--- last log lines ---\n${lines.slice(-15).join("\n")}`;
    throw err;
  }
}

describe("the bot process with Slack and Discord together", () => {
  it("Slack in HTTP mode: kubeconfigs, namespace kubeconfigs and expiry reminders reach the right DM on each platform", async () => {
    await withLogOnFailure(() => bothPlatformsRun("http"));
  }, 60_000);

  it("Slack in Socket Mode: the same flows", async () => {
    await withLogOnFailure(() => bothPlatformsRun("socket"));
  }, 60_000);
});
