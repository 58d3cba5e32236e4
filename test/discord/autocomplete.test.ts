import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";
import type { FakeUser } from "../fakes/discord/payloads.ts";

let t: DiscordTest;

async function run(user: FakeUser, channel: string, sub: string, options: Record<string, string | number>): Promise<void> {
  const a = await t.fake.interactions.answer(t.fake.interactions.slash(user, { id: channel }, sub, options));
  if (a.kind !== "message" || a.message.embeds.length === 0) throw new Error("no answer");
}

async function suggest(user: FakeUser, channel: string, sub: string, options: Record<string, string | number>, focused: string): Promise<string[]> {
  const a = await t.fake.interactions.answer(t.fake.interactions.autocomplete(user, { id: channel }, sub, options, focused));
  if (a.kind !== "choices") throw new Error("expected choices");
  for (const c of a.choices) expect(c.name.length).toBeLessThanOrEqual(100);
  return a.choices.map((c) => String(c.value));
}

beforeAll(async () => {
  t = await startDiscordTest();
  await run(USERS.bob, CHANNEL.cs401, "create", { name: "bob-one" });
  await run(USERS.bob, CHANNEL.cs401, "create", { name: "bob-two" });
  await run(USERS.carol, CHANNEL.cs401, "create", { name: "carol-one" });
  await run(USERS.tim, CHANNEL.cs401, "create", { name: "tim-one" });
  await run(USERS.dan, CHANNEL.dsg, "create", { name: "dan-one" });
  await t.idle();
});
afterAll(async () => { await t.close(); });

describe("Discord autocomplete follows list/status visibility", () => {
  it("suggests a student only their own clusters, and staff all of the tenant's", async () => {
    expect(await suggest(USERS.bob, CHANNEL.cs401, "status", { name: "" }, "name")).toEqual(["bob-one", "bob-two"]);
    expect(await suggest(USERS.carol, CHANNEL.cs401, "delete", { name: "" }, "name")).toEqual(["carol-one"]);
    expect(await suggest(USERS.tim, CHANNEL.cs401, "status", { name: "" }, "name")).toEqual(["bob-one", "bob-two", "carol-one", "tim-one"]);
    expect(await suggest(USERS.ada, CHANNEL.cs401, "kubeconfig", { name: "bob" }, "name")).toEqual(["bob-one", "bob-two"]);
    // A viewer owns nothing and sees nothing; a member of another tenant sees nothing of cs401.
    expect(await suggest(USERS.vic, CHANNEL.cs401, "status", { name: "" }, "name")).toEqual([]);
    expect(await suggest(USERS.dan, CHANNEL.cs401, "status", { name: "" }, "name")).toEqual([]);
    expect(await suggest(USERS.dan, CHANNEL.lounge, "status", { name: "" }, "name")).toEqual(["dan-one"]);
    // tenant= narrows the search, and only to a tenant the caller belongs to.
    expect(await suggest(USERS.root, CHANNEL.lounge, "status", { name: "", tenant: "dsg" }, "name")).toEqual(["dan-one"]);
    expect(await suggest(USERS.bob, CHANNEL.lounge, "status", { name: "", tenant: "dsg" }, "name")).toEqual([]);
  });

  it("suggests only the caller's tenants, and pending requests only to those who may decide them", async () => {
    expect(await suggest(USERS.bob, CHANNEL.cs401, "list", { tenant: "" }, "tenant")).toEqual(["cs401"]);
    expect(await suggest(USERS.root, CHANNEL.cs401, "list", { tenant: "" }, "tenant")).toEqual(["cs401", "dsg"]);
    expect(await suggest(USERS.root, CHANNEL.cs401, "list", { tenant: "d" }, "tenant")).toEqual(["dsg"]);
    expect(await suggest(USERS.stranger, CHANNEL.cs401, "list", { tenant: "" }, "tenant")).toEqual([]);
    // Requests #1–#3 (Bob, Bob, Carol) wait; Tim may decide them, students may not.
    expect(await suggest(USERS.tim, CHANNEL.cs401, "approve", { request: "" }, "request")).toEqual(["1", "2", "3"]);
    expect(await suggest(USERS.tim, CHANNEL.cs401, "reject", { request: "carol" }, "request")).toEqual(["3"]);
    expect(await suggest(USERS.bob, CHANNEL.cs401, "approve", { request: "" }, "request")).toEqual([]);
  });
});
