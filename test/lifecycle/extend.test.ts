/** `extend <name> <duration>`: the owner up to max_ttl from now, instructors beyond (SPEC §2), others refused. */
import { afterEach, describe, expect, it } from "vitest";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { parseConfig } from "../../src/config/load.ts";
import { baseConfig } from "../helpers/harness.ts";
import { auditOf, DAY, readyCluster, row } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

describe("extend", () => {
  it("lets the student owner extend up to max_ttl (30d) from now and refuses beyond it; an instructor may go beyond", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3");
    const T = c.expires_at!;
    const ok = await t.cmd("console:bob", "extend lab3 7d");
    expect(ok.code).toBeUndefined();
    expect(ok.card.title).toBe(`lab3 now expires ${new Date(T + 7 * DAY).toISOString().slice(0, 16).replace("T", " ")} UTC`);
    expect((await row(t, "lab3")).expires_at).toBe(T + 7 * DAY);

    // 21d + 10d = 31d from now > max_ttl 30d.
    const refused = await t.cmd("console:bob", "extend lab3 10d");
    expect(refused.code).toBe("limits.max_ttl");
    expect(refused.card.text).toContain("30d");
    expect((await row(t, "lab3")).expires_at).toBe(T + 7 * DAY);

    const beyond = await t.cmd("console:ada", "extend lab3 10w");
    expect(beyond.code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(T + 7 * DAY + 70 * DAY);
    const extends_ = (await auditOf(t, "lab3")).filter((a) => a.action === "cluster.extend");
    expect(extends_.map((a) => `${a.actor} ${a.outcome}`)).toEqual(["console:bob ok", "console:bob failure", "console:ada ok"]);
    expect(extends_[1]!.detail).toBe("+10d: limits.max_ttl");
    expect(extends_[2]!.detail).toContain("beyond max_ttl");
    expect(t.port.dmsTo("console:bob").some((s) => s.card.title === "lab3 was extended")).toBe(true);
  });

  it("refuses a TA who does not own the cluster (SPEC: instructor+), another student, and a TA beyond max_ttl on their own", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    await readyCluster(t, "console:bob", "lab3");
    expect((await t.cmd("console:tim", "extend lab3 1d")).code).toBe("rbac.denied");
    expect((await t.cmd("console:carol", "extend lab3 1d")).code).toBe("rbac.denied");
    expect((await t.cmd("console:eve", "extend lab3 1d tenant=cs401")).code).toBe("rbac.not_member");
    await readyCluster(t, "console:tim", "tim1");
    expect((await t.cmd("console:tim", "extend tim1 2d")).code).toBeUndefined();
    expect((await t.cmd("console:tim", "extend tim1 20d")).code).toBe("limits.max_ttl");
  });

  it("refuses clusters that are not ready, unknown names and bad durations", async () => {
    t = await makeCore();
    await t.cmd("console:bob", "create lab3");
    expect((await t.cmd("console:bob", "extend lab3 1d")).code).toBe("cluster.not_ready");
    expect((await t.cmd("console:bob", "extend nope 1d")).code).toBe("cluster.not_found");
    expect((await t.cmd("console:bob", "extend lab3 forever")).code).toBe("usage");
    expect((await t.cmd("console:bob", "extend lab3")).code).toBe("usage");
  });

  it("validates limits.extend_step against max_ttl in the config file", () => {
    const config = baseConfig() as any;
    config.tenants.cs401.limits.extend_step = "31d";
    expect(() => parseConfig(config, "test")).toThrow(/tenants\.cs401\.limits\.extend_step: extend_step must not exceed max_ttl/);
    config.tenants.cs401.limits.extend_step = "3d";
    expect(parseConfig(config, "test").tenants.cs401!.limits.extend_step).toBe(3 * DAY);
  });
});
