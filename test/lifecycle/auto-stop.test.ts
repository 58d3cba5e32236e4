/** Auto-stop on a fake clock: the warning 30 minutes before (once), Keep running, the stop, `at:` in the tenant's zone, restarts. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { parseConfig } from "../../src/config/load.ts";
import { auditOf, dmsWithButton, HOUR, readyCluster, row } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

const MIN = 60_000;

function config(autoStop: Record<string, string>, timezone?: string) {
  const c = baseConfig() as { tenants: { cs401: Record<string, unknown> } };
  c.tenants.cs401.auto_stop = autoStop;
  if (timezone) c.tenants.cs401.timezone = timezone;
  return c;
}

async function sweepAt(clock: ManualClock, at: number): Promise<void> {
  clock.set(at);
  await t.core.sweep();
  await t.idle();
}

describe("auto-stop", () => {
  it("warns 30 minutes before `after`, exactly once, then stops the cluster and tells the owner", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock, config: config({ after: "8h" }) });
    const c = await readyCluster(t, "console:bob", "lab3");
    const S = c.started_at!;
    expect(S).toBe(c.ready_at);
    await sweepAt(clock, S + 8 * HOUR - 30 * MIN - 1);
    expect(dmsWithButton(t, "console:bob", "keep_running")).toHaveLength(0);
    expect((await row(t, "lab3")).auto_stop_at).toBe(S + 8 * HOUR);
    // The root message shows when it will stop.
    const root = t.port.sent.filter((m) => m.kind === "update").at(-1)!.card;
    expect(root.fields).toContainEqual({ label: "Auto-stop", value: "2026-01-12 17:00 UTC" });
    await sweepAt(clock, S + 8 * HOUR - 30 * MIN);
    const warnings = dmsWithButton(t, "console:bob", "keep_running");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.card.title).toBe("lab3 stops in 30 minutes");
    expect(warnings[0]!.card.buttons).toEqual([{ label: "Keep running", action: "keep_running", value: c.id, style: "primary" }]);
    await sweepAt(clock, S + 8 * HOUR - 1);
    expect(dmsWithButton(t, "console:bob", "keep_running")).toHaveLength(1);
    expect((await row(t, "lab3")).state).toBe("ready");

    await sweepAt(clock, S + 8 * HOUR);
    expect((await row(t, "lab3")).state).toBe("stopped");
    expect(t.port.dmsTo("console:bob").map((d) => d.card.title)).toContain("lab3 is being stopped");
    const actions = (await auditOf(t, "lab3")).map((a) => `${a.actor} ${a.action} ${a.detail ?? ""}`.trim());
    expect(actions).toEqual(expect.arrayContaining(["labforge cluster.auto_stop_warn stops 2026-01-12 17:00 UTC", "labforge cluster.stop auto-stop (8h after a start)"]));

    // A start counts `after` from the new start.
    await t.cmd("console:bob", "start lab3");
    await t.idle();
    const again = await row(t, "lab3");
    expect(again.started_at).toBe(S + 8 * HOUR);
    await sweepAt(clock, S + 16 * HOUR - 31 * MIN);
    expect((await row(t, "lab3")).auto_stop_at).toBe(S + 16 * HOUR);
  });

  it("Keep running moves the deadline by `after` from the press and a new warning comes before it; others may not press it", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock, config: config({ after: "8h" }) });
    const c = await readyCluster(t, "console:bob", "lab3");
    const S = c.started_at!;
    await sweepAt(clock, S + 8 * HOUR - 20 * MIN);
    expect((await t.press("console:carol", "keep_running", c.id)).code).toBe("rbac.denied");
    const kept = await t.press("console:bob", "keep_running", c.id);
    expect(kept.card.title).toBe("lab3 keeps running");
    const next = S + 16 * HOUR - 20 * MIN;
    expect((await row(t, "lab3"))).toMatchObject({ auto_stop_at: next, auto_stop_warned_at: null });
    await sweepAt(clock, S + 8 * HOUR + MIN);
    expect((await row(t, "lab3")).state).toBe("ready");
    await sweepAt(clock, next - 30 * MIN);
    expect(dmsWithButton(t, "console:bob", "keep_running")).toHaveLength(2);
    await sweepAt(clock, next);
    expect((await row(t, "lab3")).state).toBe("stopped");
    expect((await t.press("console:bob", "keep_running", c.id)).code).toBe("cluster.not_ready");
  });

  it("`at: 22:00` stops at 22:00 in the tenant's timezone, and Keep running moves it to the next evening", async () => {
    // Berlin is UTC+1 in January: 22:00 there is 21:00 UTC.
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock, config: config({ at: "22:00" }, "Europe/Berlin") });
    const c = await readyCluster(t, "console:bob", "lab3");
    await sweepAt(clock, Date.UTC(2026, 0, 12, 20, 30));
    expect((await row(t, "lab3")).auto_stop_at).toBe(Date.UTC(2026, 0, 12, 21));
    expect(dmsWithButton(t, "console:bob", "keep_running")).toHaveLength(1);
    await t.press("console:bob", "keep_running", c.id);
    expect((await row(t, "lab3")).auto_stop_at).toBe(Date.UTC(2026, 0, 13, 21));
    await sweepAt(clock, Date.UTC(2026, 0, 12, 21));
    expect((await row(t, "lab3")).state).toBe("ready");
    await sweepAt(clock, Date.UTC(2026, 0, 13, 21));
    expect((await row(t, "lab3")).state).toBe("stopped");
  });

  it("catches up after a restart: a deadline that passed while labforge was down stops the cluster on the first sweep", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-autostop-"));
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    try {
      t = await makeCore({ clock, dataDir, config: config({ after: "8h" }) });
      const c = await readyCluster(t, "console:bob", "lab3");
      await sweepAt(clock, c.started_at! + HOUR);
      await t.close();
      clock.set(c.started_at! + 12 * HOUR);
      t = await makeCore({ clock, dataDir, config: config({ after: "8h" }) });
      await t.idle();
      expect((await row(t, "lab3")).state).toBe("stopped");
    } finally {
      await t.close();
      t = undefined as never;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a stopped cluster still gets its expiry reminder and expires: the destroy job takes it from stopped", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    t = await makeCore({ clock, config: config({ after: "8h" }) });
    const c = await readyCluster(t, "console:bob", "lab3");
    await sweepAt(clock, c.started_at! + 8 * HOUR);
    expect((await row(t, "lab3")).state).toBe("stopped");
    await sweepAt(clock, c.expires_at! - 24 * HOUR);
    expect(dmsWithButton(t, "console:bob", "extend")).toHaveLength(1);
    await sweepAt(clock, c.expires_at!);
    expect((await row(t, "lab3")).state).toBe("deleted");
    expect((await auditOf(t, "lab3")).map((a) => a.action)).toEqual(expect.arrayContaining(["cluster.expire", "cluster.destroyed"]));
  });

  it("rejects a bad auto_stop or timezone with the path and the fix", () => {
    const bad = (auto: unknown, tz?: string) => () => parseConfig(config(auto as Record<string, string>, tz), "test");
    expect(bad({ after: "8 hours" })).toThrow(/tenants\.cs401\.auto_stop\.after: expected a duration/);
    expect(bad({ at: "25:00" })).toThrow(/tenants\.cs401\.auto_stop\.at: expected a time of day like "22:00"/);
    expect(bad({})).toThrow(/tenants\.cs401\.auto_stop: expected after/);
    expect(bad({ at: "22:00" }, "Mars/Olympus")).toThrow(/tenants\.cs401\.timezone: expected an IANA time zone/);
  });
});
