import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, embedOf, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";
import type { FakeUser } from "../fakes/discord/payloads.ts";

let t: DiscordTest;
beforeAll(async () => { t = await startDiscordTest(); });
afterAll(async () => { await t.close(); });

async function privately(user: FakeUser, sub: string, options: Record<string, string | number>): Promise<string> {
  const a = await t.fake.interactions.answer(t.fake.interactions.slash(user, { id: CHANNEL.cs401 }, sub, options));
  if (a.kind !== "message") throw new Error("expected a message");
  expect(a.ephemeral).toBe(true);
  const e = embedOf(a.message);
  return `${e.title}\n${e.description}`;
}

describe("Discord: bad input is answered privately and changes nothing", () => {
  it("names what was wrong, for the adapter's own checks and the core's", async () => {
    expect(await privately(USERS.bob, "create", { name: "lab3 tenant=dsg" })).toMatch(/name must be a single word/);
    expect(await privately(USERS.bob, "create", { name: "Lab3" })).toMatch(/name "Lab3" is not valid/);
    expect(await privately(USERS.bob, "create", { name: "lab4", ttl: "forever" })).toMatch(/ttl must be a duration/);
    expect(await privately(USERS.bob, "create", { name: "lab4", workers: 3, tenant: "nope" })).toMatch(/there is no tenant "nope"/i);
    expect(await privately(USERS.bob, "reject", { request: "1", reason: "tenant=dsg please" })).toMatch(/reason must not start with a key=value word/);
    expect(await privately(USERS.stranger, "queue", {})).toMatch(new RegExp(`not in any tenant. Your identity is discord:${USERS.stranger.id}`));
    const n = await t.core.app.db.k.selectFrom("clusters").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    expect(t.fake.messagesIn(CHANNEL.cs401)).toHaveLength(0);
  });
});
