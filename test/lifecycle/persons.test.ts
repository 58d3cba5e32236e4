/** One person, several identities: ownership, own-request approvals, per-user limits and `list mine` go by the person. */
import { afterEach, describe, expect, it } from "vitest";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { parseConfig } from "../../src/config/load.ts";
import { DAY, readyCluster, row } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

/** cs401 with approvals for everyone; Tina the TA and Sam the student each have a Slack and a Discord identity. */
function twoIdentityConfig() {
  const c = baseConfig() as any;
  c.tenants.cs401.approvals = "everyone";
  c.tenants.cs401.channels.push("slack:C0CS401", "discord:1100000000000000001");
  c.members.push(
    { name: "Tina", identities: ["slack:U0TINA", "discord:1200000000000000007"], roles: { cs401: "ta" } },
    { name: "Sam", identities: ["slack:U0SAM", "discord:1200000000000000008"], roles: { cs401: "student" } },
  );
  return c;
}

describe("persons", () => {
  it("a TA cannot approve their own request from their other identity", async () => {
    t = await makeCore({ config: twoIdentityConfig() });
    expect((await t.cmd("slack:U0TINA", "create tlab", "slack:C0CS401")).code).toBeUndefined();
    const own = await t.cmd("discord:1200000000000000007", "approve tlab", "discord:1100000000000000001");
    expect(own.code).toBe("approval.own_request");
    expect((await t.cmd("console:tim", "approve tlab")).code).toBeUndefined();
  });

  it("per_user_clusters counts every identity of a person; list mine and delete work from either", async () => {
    t = await makeCore({ config: twoIdentityConfig() });
    expect((await t.cmd("slack:U0SAM", "create slab", "slack:C0CS401")).code).toBeUndefined();
    const second = await t.cmd("discord:1200000000000000008", "create slab2", "discord:1100000000000000001");
    expect(second.code).toBe("limits.per_user_clusters");
    const mine = await t.cmd("discord:1200000000000000008", "list mine", "discord:1100000000000000001");
    expect(JSON.stringify(mine.card)).toContain("slab");
    const del = await t.press("discord:1200000000000000008", "delete.confirm", (await row(t, "slab")).id);
    expect(del.code).toBeUndefined();
    expect((await row(t, "slab")).state).toBe("deleted");
  });

  it("the same identity under two members is a config error naming both", () => {
    const c = twoIdentityConfig();
    c.members.push({ name: "Impostor", identities: ["slack:U0SAM"], roles: { cs401: "instructor" } });
    expect(() => parseConfig(c, "test config")).toThrow(/members\[9\]\.identities\[0\]: slack:U0SAM is listed under both members\[8\] \(Sam\) and members\[9\] \(Impostor\); one identity belongs to one person/);
  });
});

describe("bounds", () => {
  it("no extend, by anyone, goes past max_lifetime from creation; list and status keep working", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3");
    const first = await t.cmd("console:ada", "extend lab3 99999w");
    expect(first.code).toBeUndefined();
    expect(first.card.text).toContain("end of its lifetime");
    expect((await row(t, "lab3")).expires_at).toBe(c.created_at + 180 * DAY);
    const second = await t.cmd("console:ada", "extend lab3 99999w");
    expect(second.code).toBe("limits.max_lifetime");
    expect((await row(t, "lab3")).expires_at).toBe(c.created_at + 180 * DAY);
    expect((await t.cmd("console:ada", "list")).code).toBeUndefined();
    expect((await t.cmd("console:ada", "status lab3")).code).toBeUndefined();
  });

  it("max_lifetime is capped at a year and max_ttl may not exceed it", () => {
    const c = baseConfig() as any;
    c.tenants.cs401.limits.max_lifetime = "60w";
    expect(() => parseConfig(c, "x")).toThrow(/max_lifetime.*at most 52w/s);
    c.tenants.cs401.limits.max_lifetime = "20d";
    expect(() => parseConfig(c, "x")).toThrow(/max_ttl must not exceed max_lifetime/);
  });

  it("tenant=constructor (or any Object property) is no tenant", async () => {
    t = await makeCore();
    for (const name of ["constructor", "tostring", "hasownproperty"]) {
      const r = await t.cmd("console:root", `create lab9 tenant=${name}`);
      expect(r.code).toBe("tenant.unknown");
    }
    const r = await t.cmd("console:root", "list tenant=constructor");
    expect(r.code).toBe("tenant.unknown");
  });
});

describe("what a button id tells", () => {
  it("a deleted cluster's name reaches only those who could have deleted it", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "secretlab");
    expect((await t.press("console:bob", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    const stranger = await t.press("console:eve", "delete.confirm", c.id);
    expect(stranger.code).toBe("cluster.not_found");
    expect(JSON.stringify(stranger.card)).not.toContain("secretlab");
    expect(JSON.stringify((await t.press("console:bob", "delete.confirm", c.id)).card)).toContain("secretlab is already gone");
  });
});
