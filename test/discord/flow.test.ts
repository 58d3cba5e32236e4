import { afterEach, describe, expect, it } from "vitest";
import { buttonsOf, CHANNEL, discordConfig, embedOf, startDiscordTest, USERS, warnings, type DiscordTest } from "./helpers.ts";
import type { Answer } from "../fakes/discord/interactions.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

function message(a: Answer) {
  if (a.kind !== "message") throw new Error(`expected a message, got ${a.kind}`);
  return a;
}

describe("Discord: student → instructor → ready → DM", () => {
  it("runs the whole flow: approval by button in a DM, root message updated in place, one thread with a reply per step, kubeconfig only by DM", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    const asked = message(await f.interactions.answer(f.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "create", { name: "lab3", workers: 2 })));
    expect(asked.ephemeral).toBe(true);
    expect(embedOf(asked.message).title).toBe("Request #1 sent");
    await t.idle();

    // The request went to cs401's instructor and TA by DM, with Approve / Reject; not to the requester.
    const adaCard = f.dmsTo(USERS.ada.id).find((m) => buttonsOf(m).includes("lf:approve:1"));
    expect(adaCard && buttonsOf(adaCard)).toEqual(["lf:approve:1", "lf:reject:1"]);
    expect(f.dmsTo(USERS.tim.id).some((m) => buttonsOf(m).includes("lf:approve:1"))).toBe(true);
    expect(f.dmsTo(USERS.bob.id).some((m) => buttonsOf(m).length > 0)).toBe(false);

    const approved = message(await f.interactions.answer(f.interactions.press(USERS.ada, adaCard!, "lf:approve:1")));
    expect(approved.ephemeral).toBe(true);
    expect(embedOf(approved.message).title).toBe("Approved request #1");
    await t.idle();

    // One root message in the course channel, edited in place to Ready.
    const posted = f.messagesIn(CHANNEL.cs401);
    expect(posted).toHaveLength(1);
    const root = posted[0]!;
    expect(root.edited).toBeGreaterThan(0);
    expect(embedOf(root).title).toBe("lab3 · cs401");
    expect(embedOf(root).fields!.find((x) => x.name === "State")!.value).toBe("Ready");
    // One thread, started from the root message, with one reply per pipeline step.
    const starts = f.callsTo("POST", /\/threads$/);
    expect(starts.map((c) => c.path)).toEqual([`/channels/${CHANNEL.cs401}/messages/${root.id}/threads`]);
    expect(f.messagesIn(root.id).map((m) => embedOf(m).title)).toEqual([
      "✓ Preparing workspace", "✓ Cloning VMs", "✓ Waiting for SSH", "✓ Installing Kubernetes", "✓ Fetching kubeconfig", "✓ Sending kubeconfig",
    ]);
    // The decision reached both approvers' cards (buttons gone) and the requester by DM.
    expect(buttonsOf(f.dmsTo(USERS.ada.id).find((m) => m.id === adaCard!.id)!)).toEqual([]);
    expect(f.dmsTo(USERS.bob.id).some((m) => embedOf(m).title === "lab3 was approved")).toBe(true);

    // The kubeconfig arrived once, as an attachment in Bob's DMs, and nowhere else.
    const withFiles = [...f.state.channels.values()].flatMap((ch) => ch.messages.filter((m) => m.attachments.length > 0).map((m) => ({ ch, m })));
    expect(withFiles).toHaveLength(1);
    const { ch, m } = withFiles[0]!;
    expect([ch.kind, ch.recipient]).toEqual(["dm", USERS.bob.id]);
    expect(m.attachments.map((a) => a.filename)).toEqual(["cs401-lab3.kubeconfig"]);
    const kubeconfig = m.attachments[0]!.content;
    expect(kubeconfig).toContain("server: https://10.40.19.201:6443");
    expect(embedOf(m).description).toContain("kubectl get nodes");
    const secret = /token: (\S+)/.exec(kubeconfig)![1]!;
    const elsewhere = f.calls.filter((c) => !(c.files.length > 0 && c.path === `/channels/${ch.id}/messages`));
    expect(JSON.stringify(elsewhere)).not.toContain(secret);
    expect(t.logs.join("")).not.toContain(secret);
    // Every REST call was counted by route, without ids or tokens in the labels.
    const calls = await t.metrics.chatCalls.get();
    const routes = calls.values.filter((v) => v.labels.platform === "discord").map((v) => String(v.labels.method));
    expect(routes).toContain("POST /channels/:id/messages/:id/threads");
    expect(routes).toContain("POST /interactions/:id/:token/callback");
    expect(routes.join(" ")).not.toMatch(/[0-9]{15}/);
    // No message the bot sent to a channel, thread or DM can ping anyone.
    const sends = f.calls.filter((c) => /^\/channels\/\d+\/messages(\/\d+)?$/.test(c.path) && c.method !== "GET");
    expect(sends.length).toBeGreaterThan(10);
    for (const c of sends) expect((c.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    // Every interaction was answered and every chat call landed.
    expect(warnings(t.logs)).toEqual([]);
  });

  it("posts the approval card in the approval channel, refuses a student's press privately, and takes the TA's", async () => {
    t = await startDiscordTest({ config: discordConfig({ approvalChannel: true }) });
    const f = t.fake;
    await f.interactions.answer(f.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "create", { name: "lab3" }));
    await t.idle();
    const card = f.messagesIn(CHANNEL.cs401staff).find((m) => buttonsOf(m).includes("lf:approve:1"))!;
    expect(card).toBeDefined();

    const refused = message(await f.interactions.answer(f.interactions.press(USERS.carol, card, "lf:approve:1")));
    expect(refused.ephemeral).toBe(true);
    expect(embedOf(refused.message).description).toMatch(/only TAs and instructors of cs401/i);
    const viewer = message(await f.interactions.answer(f.interactions.press(USERS.vic, card, "lf:reject:1")));
    expect(viewer.ephemeral).toBe(true);
    expect(embedOf(viewer.message).description).toMatch(/only TAs and instructors of cs401/i);
    const state = async () => (await t!.core.app.db.k.selectFrom("clusters").select("state").where("name", "=", "lab3").executeTakeFirstOrThrow()).state;
    expect(await state()).toBe("pending_approval");

    // Ada's client still shows the buttons when Tim decides (the edit has not reached her yet).
    const stale = structuredClone(card);
    message(await f.interactions.answer(f.interactions.press(USERS.tim, card, "lf:approve:1")));
    await t.idle();
    expect(await state()).toBe("ready");
    const again = message(await f.interactions.answer(f.interactions.press(USERS.ada, stale, "lf:approve:1")));
    expect(again.ephemeral).toBe(true);
    expect(embedOf(again.message).description).toMatch(/already approved by Tim/i);
    expect(buttonsOf(card)).toEqual([]);
    expect(embedOf(card).description).toMatch(/^Approved by Tim/);
  });

  it("takes a command typed in a progress thread as typed in its course channel", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "create", { name: "exp1" }));
    await t.idle();
    const root = f.messagesIn(CHANNEL.dsg)[0]!;
    // The admin belongs to every tenant, so only the channel can say which one is meant.
    const inThread = await f.interactions.answer(f.interactions.slash(USERS.root, { id: root.id, parent: CHANNEL.dsg }, "status", { name: "exp1" }));
    expect(inThread.kind === "message" && embedOf(inThread.message).title).toBe("exp1 · dsg");
    const suggestions = await f.interactions.answer(f.interactions.autocomplete(USERS.root, { id: root.id, parent: CHANNEL.dsg }, "status", { name: "" }, "name"));
    expect(suggestions.kind === "choices" && suggestions.choices.map((c) => c.value)).toEqual(["exp1"]);
    const elsewhere = await f.interactions.answer(f.interactions.slash(USERS.root, { id: CHANNEL.lounge }, "status", { name: "exp1" }));
    expect(elsewhere.kind === "message" && embedOf(elsewhere.message).description).toMatch(/belongs to no tenant/);
  });
});
