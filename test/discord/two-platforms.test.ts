import { afterEach, describe, expect, it } from "vitest";
import { RecordingPort } from "../helpers/recording-port.ts";
import { buttonsOf, CHANNEL, discordConfig, embedOf, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("Discord next to another platform in one process", () => {
  it("routes by prefix: a Slack student's request is approved on Discord, and each side gets only its own traffic", async () => {
    const config = discordConfig() as { tenants: { cs401: { channels: string[] } }; members: { identities: string[]; roles: Record<string, string> }[] };
    config.tenants.cs401.channels.push("slack:C0CS401");
    config.members.push({ identities: ["slack:U0SAM"], roles: { cs401: "student" } });
    const slack = new RecordingPort("slack");
    t = await startDiscordTest({ config, beforeStart: (core) => core.router.register(slack) });
    const reply = await t.core.dispatcher.handleCommand({ actor: { identity: "slack:U0SAM" }, where: { channel: "slack:C0CS401" }, text: "create sam1", deliveryId: "slack-1" });
    expect(reply.card.title).toBe("Request #1 sent");
    await t.idle();

    const card = t.fake.dmsTo(USERS.ada.id).find((m) => buttonsOf(m).includes("lf:approve:1"))!;
    const a = await t.fake.interactions.answer(t.fake.interactions.press(USERS.ada, card, "lf:approve:1"));
    expect(a.kind === "message" && embedOf(a.message).title).toBe("Approved request #1");
    await t.idle();

    // Slack got the root message, its thread and the kubeconfig DM; Discord got none of them.
    expect(slack.sent.filter((s) => s.kind === "post").map((s) => s.target)).toEqual(["slack:C0CS401"]);
    expect(slack.sent.filter((s) => s.kind === "thread")).toHaveLength(6);
    expect(slack.dmsTo("slack:U0SAM").some((s) => s.file?.filename === "cs401-sam1.kubeconfig")).toBe(true);
    expect(slack.sent.every((s) => !s.target.startsWith("discord:"))).toBe(true);
    expect(t.fake.messagesIn(CHANNEL.cs401)).toHaveLength(0);
    expect(t.fake.calls.some((c) => c.files.length > 0)).toBe(false);
  });
});
