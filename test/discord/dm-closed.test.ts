import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, embedOf, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("Discord: closed DMs (error 50007)", () => {
  it("finishes the cluster, tells the channel without the file, and answers /cluster kubeconfig privately until DMs open", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    f.closeDms(USERS.dan.id);
    await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "create", { name: "exp1" }));
    await t.idle();

    const c = await t.core.app.db.k.selectFrom("clusters").select(["id", "state"]).where("name", "=", "exp1").executeTakeFirstOrThrow();
    expect(c.state).toBe("ready");
    // The refused request carried the file; discord.js keeps it on its error, and none of it may reach a log.
    const secret = /token: (\S+)/.exec((await t.core.app.kubeconfigs.load(c.id))!)![1]!;
    expect(t.logs.join("")).toContain("kubeconfig not delivered by DM");
    expect(t.logs.join("")).not.toContain(secret);
    // The DM with the file was tried, refused by Discord, and nothing carried a file anywhere else.
    const tried = f.calls.filter((c) => c.files.length > 0);
    expect(tried.map((c) => c.status)).toEqual([403]);
    expect([...f.state.channels.values()].flatMap((ch) => ch.messages).filter((m) => m.attachments.length > 0)).toHaveLength(0);
    // The channel was told, naming Dan and the command to run once DMs are open.
    const notice = f.messagesIn(CHANNEL.dsg).find((m) => /could not be sent/.test(embedOf(m).title ?? ""));
    expect(notice).toBeDefined();
    expect(embedOf(notice!).description).toContain("Dan");
    expect(embedOf(notice!).description).toContain("/cluster kubeconfig exp1");

    const again = await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "kubeconfig", { name: "exp1" }));
    if (again.kind !== "message") throw new Error("expected a message");
    expect(again.ephemeral).toBe(true);
    expect(embedOf(again.message).description).toMatch(/direct messages are closed/);
    expect(again.message.attachments).toHaveLength(0);
    expect(f.calls.filter((c) => c.files.length > 0).map((c) => c.status)).toEqual([403, 403]);

    // Once Dan opens his DMs, the same command delivers the file there.
    f.state.closedDms.delete(USERS.dan.id);
    const sent = await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "kubeconfig", { name: "exp1" }));
    if (sent.kind !== "message") throw new Error("expected a message");
    expect(embedOf(sent.message).title).toBe("Sent");
    expect(f.dmsTo(USERS.dan.id).flatMap((m) => m.attachments.map((a) => a.filename))).toEqual(["dsg-exp1.kubeconfig"]);
  });
});
