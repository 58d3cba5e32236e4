/** Expiry on a fake clock: the reminder at exactly T−24h (once), the destroy at T, and the reminder's buttons. */
import { afterEach, describe, expect, it } from "vitest";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { auditOf, DAY, dmsWithButton, HOUR, readyCluster, row } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

async function sweepAt(clock: ManualClock, at: number): Promise<void> {
  clock.set(at);
  await t.core.sweep();
  await t.idle();
}

describe("expiry reminder and auto-destroy", () => {
  it("reminds the owner exactly once at T−24h (not before), then expires, destroys and tells the owner at T", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=1" });
    const T = c.expires_at!;
    expect(T).toBe(c.ready_at! + 14 * DAY);

    await sweepAt(clock, T - DAY - 1);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(0);
    await sweepAt(clock, T - DAY);
    const reminders = dmsWithButton(t, "console:bob", "extend");
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.card.buttons!.map((b) => [b.action, b.value])).toEqual([["extend", c.id], ["delete.now", c.id]]);
    expect((await row(t, "lab3")).reminded_at).toBe(T - DAY);
    // Later sweeps inside the window send nothing more.
    await sweepAt(clock, T - DAY + HOUR);
    await sweepAt(clock, T - 1);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(1);
    expect((await row(t, "lab3")).state).toBe("ready");

    await sweepAt(clock, T);
    const after = await row(t, "lab3");
    expect(after.state).toBe("deleted");
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).where("cluster_id", "=", c.id).orderBy("id").execute();
    expect(jobs).toEqual([{ kind: "provision", state: "succeeded" }, { kind: "deliver", state: "succeeded" }, { kind: "destroy", state: "succeeded" }]);
    expect(await t.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).toHaveLength(0);
    const told = t.port.dmsTo("console:bob").filter((s) => s.card.title === "lab3 expired");
    expect(told).toHaveLength(1);
    expect(told[0]!.card.text).not.toContain("not running");
    const actions = (await auditOf(t, "lab3")).map((a) => `${a.actor} ${a.action} ${a.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(["labforge cluster.remind ok", "labforge cluster.expire ok", "labforge cluster.destroyed ok"]));
    expect((await auditOf(t, "lab3")).find((a) => a.action === "cluster.destroyed")!.detail).toContain("(expired)");
    // The name is free again.
    expect((await t.cmd("console:bob", "create lab3")).code).toBeUndefined();
  });

  it("extending resets the reminder: a second one comes 24h before the new expiry", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3");
    const T = c.expires_at!;
    await sweepAt(clock, T - DAY);
    expect((await t.cmd("console:bob", "extend lab3 7d")).code).toBeUndefined();
    expect((await row(t, "lab3")).reminded_at).toBeNull();
    await sweepAt(clock, T + 6 * DAY - 1);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(1);
    await sweepAt(clock, T + 6 * DAY);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(2);
    await sweepAt(clock, T + 7 * DAY);
    expect((await row(t, "lab3")).state).toBe("deleted");
  });

  it("an extend that leaves less than 24h does not trigger a second reminder at once", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3");
    const T = c.expires_at!;
    await sweepAt(clock, T - 2 * HOUR);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(1);
    expect((await t.cmd("console:bob", "extend lab3 1h")).code).toBeUndefined();
    await sweepAt(clock, T);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(1);
    expect((await row(t, "lab3")).state).toBe("ready");
    await sweepAt(clock, T + HOUR);
    expect((await row(t, "lab3")).state).toBe("deleted");
  });

  it("a cluster that never became ready has no expiry: the sweep leaves it to the approval lapse", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    await t.cmd("console:bob", "create lab3");
    await sweepAt(clock, clock.now() + 100 * DAY);
    expect((await row(t, "lab3")).state).toBe("rejected"); // the request lapsed; expiry left it alone
    expect(await auditOf(t, "lab3")).not.toEqual(expect.arrayContaining([expect.objectContaining({ action: "cluster.expire" })]));
  });
});

describe("the reminder's buttons", () => {
  it("Extend moves the expiry by the default step (7d) and is permission-checked", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3");
    const T = c.expires_at!;
    await sweepAt(clock, T - DAY);
    expect((await t.press("console:carol", "extend", c.id)).code).toBe("rbac.denied");
    expect((await t.press("console:tim", "extend", c.id)).code).toBe("rbac.denied");
    expect((await t.press("console:eve", "extend", c.id)).code).toBe("rbac.not_member");
    expect((await row(t, "lab3")).expires_at).toBe(T);
    const pressed = await t.press("console:bob", "extend", c.id);
    expect(pressed.code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(T + 7 * DAY);
    expect(pressed.card.title).toContain(new Date(T + 7 * DAY).toISOString().slice(0, 10));
    // An instructor may press it too; the owner hears about it.
    expect((await t.press("console:ada", "extend", c.id)).code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(T + 14 * DAY);
    expect(t.port.dmsTo("console:bob").some((s) => s.card.title === "lab3 was extended")).toBe(true);
  });

  it("Extend stops an owner at max_ttl from now, then refuses; limits.extend_step sets the step", async () => {
    const config = baseConfig() as any;
    config.tenants.cs401.limits.extend_step = "20d";
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock, config });
    const c = await readyCluster(t, "console:bob", "lab3");
    const T = c.expires_at!;
    await sweepAt(clock, T - DAY);
    expect((await t.press("console:bob", "extend", c.id)).code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(T + 20 * DAY);
    const capped = await t.press("console:bob", "extend", c.id);
    expect(capped.code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(clock.now() + 30 * DAY);
    expect((await t.press("console:bob", "extend", c.id)).code).toBe("limits.max_ttl");
  });

  it("Delete now destroys the cluster at once for the owner or staff, not for other students", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock });
    const c = await readyCluster(t, "console:bob", "lab3");
    await sweepAt(clock, c.expires_at! - DAY);
    expect((await t.press("console:carol", "delete.now", c.id)).code).toBe("rbac.denied");
    expect((await t.press("console:vic", "delete.now", c.id)).code).toBe("rbac.denied");
    expect((await row(t, "lab3")).state).toBe("ready");
    expect((await t.press("console:bob", "delete.now", c.id)).code).toBeUndefined();
    expect((await t.press("console:bob", "delete.now", c.id)).code).toBe("cluster.deleting");
    await t.idle();
    expect((await row(t, "lab3")).state).toBe("deleted");
    expect((await auditOf(t, "lab3")).find((a) => a.action === "cluster.delete")!.detail).toContain("expiry reminder");
    // A stale button after the cluster is gone is refused, not a crash.
    expect((await t.press("console:bob", "extend", c.id)).code).toBe("cluster.expired");
  });
});
