import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, embedOf, startDiscordTest, USERS, warnings, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("Discord: 429 answers", () => {
  it("waits as told and loses no update: the root ends Ready, every step reaches the thread, and the waits are counted", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    f.rateLimit("PATCH", /^\/channels\/\d+\/messages\/\d+$/, 2);
    f.rateLimit("POST", /^\/channels\/\d+\/messages$/, 2);
    f.rateLimit("POST", /\/threads$/, 1);
    await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "create", { name: "exp1", workers: 1 }));
    await t.idle();

    const limited = f.calls.filter((c) => c.status === 429);
    expect(limited).toHaveLength(5);
    // Each refused call was made again and then succeeded.
    for (const c of limited) expect(f.calls.some((d) => d !== c && d.method === c.method && d.path === c.path && d.status < 300 && f.calls.indexOf(d) > f.calls.indexOf(c))).toBe(true);
    const root = f.messagesIn(CHANNEL.dsg)[0]!;
    expect(embedOf(root).fields!.find((x) => x.name === "State")!.value).toBe("Ready");
    expect(f.messagesIn(root.id)).toHaveLength(6);
    expect(f.dmsTo(USERS.dan.id).flatMap((m) => m.attachments.map((a) => a.filename))).toEqual(["dsg-exp1.kubeconfig"]);
    const waits = (await t.metrics.rateLimitWaits.get()).values.filter((v) => v.labels.platform === "discord");
    expect(waits.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(5);
    expect(waits.map((v) => String(v.labels.method))).toContain("PATCH /channels/:id/messages/:id");
    expect(warnings(t.logs)).toEqual([]);
  });
});
