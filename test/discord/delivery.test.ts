import { afterEach, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { buttonsOf, CHANNEL, embedOf, startDiscordTest, USERS, warnings, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

async function count(table: "clusters" | "requests" | "jobs"): Promise<number> {
  const r = await t!.core.app.db.k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe("Discord: redeliveries and the response window", () => {
  it("treats a duplicate INTERACTION_CREATE (same id) as one command, and a duplicate button press as one decision", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    const id = f.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "create", { name: "lab3" });
    await f.interactions.answer(id);
    f.interactions.redispatch(id);
    await t.idle();
    // The duplicate was stored once and not answered again: one callback for the interaction.
    expect(f.calls.filter((c) => c.path.startsWith(`/interactions/${id}/`))).toHaveLength(1);
    expect([await count("clusters"), await count("requests")]).toEqual([1, 1]);
    const cards = [USERS.ada, USERS.tim].flatMap((u) => f.dmsTo(u.id)).filter((m) => buttonsOf(m).includes("lf:approve:1"));
    expect(cards).toHaveLength(2);

    const card = cards[0]!;
    const press = f.interactions.press(USERS.ada, card, "lf:approve:1");
    await f.interactions.answer(press);
    f.interactions.redispatch(press);
    await t.idle();
    expect(f.calls.filter((c) => c.path.startsWith(`/interactions/${press}/`))).toHaveLength(1);
    expect((await t.core.app.db.k.selectFrom("jobs").select("kind").execute()).map((j) => j.kind)).toEqual(["provision", "deliver"]);
    expect(f.dmsTo(USERS.bob.id).filter((m) => embedOf(m).title === "lab3 was approved")).toHaveLength(1);
    // The core ran each command once: a second run would have been counted (and refused: name taken, already decided).
    const runs = (await t.metrics.commands.get()).values.filter((v) => ["create", "button:approve"].includes(String(v.labels.command)));
    expect(runs.map((v) => [v.labels.command, v.labels.outcome, v.value])).toEqual([["create", "ok", 1], ["button:approve", "ok", 1]]);
    const audited = await t.core.app.db.k.selectFrom("audit").select("action").where("action", "in", ["cluster.create", "request.approve"]).execute();
    expect(audited.map((a) => a.action)).toEqual(["cluster.create", "request.approve"]);
    expect(warnings(t.logs)).toEqual([]);
  });

  it("acknowledges with an ephemeral deferral at once and fills the answer in", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    const id = f.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "create", { name: "Lab3" });
    const a = await f.interactions.answer(id);
    expect(f.interactions.record(id).callbacks.map((c) => [c.type, c.data?.flags])).toEqual([[5, 64]]);
    if (a.kind !== "message") throw new Error("expected a message");
    expect([a.deferred, a.ephemeral]).toEqual([true, true]);
    expect(embedOf(a.message).title).toBe("That command needs a fix");
    expect(embedOf(a.message).description).toContain('name "Lab3" is not valid');
  });

  it("an answer sent again after a crash edits the same deferred message: the student sees one answer, no follow-up", async () => {
    const first = await startDiscordTest();
    const f = first.fake;
    const id = f.interactions.slash(USERS.bob, { id: CHANNEL.cs401 }, "create", { name: "lab3" });
    const a = await f.interactions.answer(id);
    if (a.kind !== "message") throw new Error("expected a message");
    expect(embedOf(a.message).title).toBe("Request #1 sent");
    const inbox = () => first.core.app.db.k.selectFrom("inbox").select("state").executeTakeFirstOrThrow();
    while ((await inbox()).state !== "answered") await new Promise((r) => setTimeout(r, 10));
    // As if the process had died after the answer went out but before it was recorded as answered.
    await first.core.app.db.k.updateTable("inbox").set({ state: "replied", answered_at: null }).execute();
    await first.crash();

    t = await startDiscordTest({ restartOf: { fake: f, dataDir: first.dataDir, secretKey: first.secretKey } });
    await t.idle();
    const record = f.interactions.record(id);
    expect(record.callbacks.map((c) => c.type)).toEqual([5]); // one acknowledgement, then only edits
    expect(record.followups).toEqual([]);
    expect(f.calls.filter((c) => c.method === "PATCH" && c.path.includes(record.token))).toHaveLength(2);
    expect(embedOf(record.original!).title).toBe("Request #1 sent");
    expect(embedOf(record.original!).description).toContain("Delayed by a restart");
    expect(f.dmsTo(USERS.bob.id).filter((m) => embedOf(m).title === "Request #1 sent")).toEqual([]);
    expect(await t.core.app.db.k.selectFrom("inbox").select("state").execute()).toEqual([{ state: "answered" }]);
    expect(await count("requests")).toBe(1); // not run again
    await t.close();
    t = undefined;
    await f.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  });

  it("answers by DM once the interaction token has expired, since a private answer must stay private", async () => {
    t = await startDiscordTest({ tokenLifeMs: 0 });
    const f = t.fake;
    const id = f.interactions.slash(USERS.stranger, { id: CHANNEL.cs401 }, "list", {});
    await f.waitFor(() => f.dmsTo(USERS.stranger.id).length > 0);
    const dm = f.dmsTo(USERS.stranger.id)[0]!;
    expect(embedOf(dm).description).toContain(`discord:${USERS.stranger.id}`);
    expect(embedOf(dm).description).toMatch(/not in any tenant/);
    // Nothing went to the channel, and the expired token was not used.
    expect(f.messagesIn(CHANNEL.cs401)).toHaveLength(0);
    expect(f.calls.filter((c) => c.path.startsWith("/webhooks/"))).toHaveLength(0);
    expect(f.interactions.record(id).callbacks.map((c) => c.type)).toEqual([5]);
  });
});
