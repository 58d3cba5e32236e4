/** Expiry across restarts: a new Core on the same data dir catches up on reminders and expiries that fell due while it was down. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { auditOf, DAY, dmsWithButton, HOUR, readyCluster, row } from "./helpers.ts";

const open: TestCore[] = [];
let dataDir: string;
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts a core on the shared data dir; `start()` runs the first sweep, as after a real restart. */
async function boot(clock: ManualClock, secretKey: Buffer): Promise<TestCore> {
  const t = await makeCore({ clock, dataDir, secretKey });
  open.push(t);
  await t.idle();
  return t;
}

async function stop(t: TestCore): Promise<void> {
  await t.close();
  open.splice(open.indexOf(t), 1);
}

describe("expiry across restarts", () => {
  it("sends a reminder that fell due while down (once), then destroys a cluster that expired while down, saying so", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-expiry-"));
    const key = randomBytes(32);
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    const first = await boot(clock, key);
    const c = await readyCluster(first, "console:bob", "lab3");
    const T = c.expires_at!;
    await stop(first);

    // Down across T−24h; back up inside the reminder window.
    clock.set(T - 12 * HOUR);
    const second = await boot(clock, key);
    expect(dmsWithButton(second, "console:bob", "extend")).toHaveLength(1);
    await second.core.sweep();
    await second.idle();
    expect(dmsWithButton(second, "console:bob", "extend")).toHaveLength(1);
    await stop(second);

    // A third start inside the window: the reminder was persisted, so none is sent again.
    clock.set(T - 6 * HOUR);
    const third = await boot(clock, key);
    expect(dmsWithButton(third, "console:bob", "extend")).toHaveLength(0);
    await stop(third);

    // Down across T: the next start destroys it and tells the owner it expired while labforge was down.
    clock.set(T + 3 * HOUR);
    const fourth = await boot(clock, key);
    expect((await row(fourth, "lab3")).state).toBe("deleted");
    const told = fourth.port.dmsTo("console:bob").filter((s) => s.card.title === "lab3 expired");
    expect(told).toHaveLength(1);
    expect(told[0]!.card.text).toContain("while labforge was not running");
    expect(dmsWithButton(fourth, "console:bob", "extend")).toHaveLength(0);
    const expire = (await auditOf(fourth, "lab3")).filter((a) => a.action === "cluster.expire");
    expect(expire).toHaveLength(1);
    expect(expire[0]!.detail).toContain("expired while labforge was down");
    expect(await fourth.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).toHaveLength(0);
  });

  it("down through the whole window: no late reminder for an expired cluster, only the expiry", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-expiry-"));
    const key = randomBytes(32);
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    const first = await boot(clock, key);
    const c = await readyCluster(first, "console:bob", "lab3");
    await stop(first);
    clock.set(c.expires_at! + 2 * DAY);
    const second = await boot(clock, key);
    expect(dmsWithButton(second, "console:bob", "extend")).toHaveLength(0);
    expect(second.port.dmsTo("console:bob").filter((s) => s.card.title === "lab3 expired")).toHaveLength(1);
    expect((await row(second, "lab3")).state).toBe("deleted");
    const actions = (await auditOf(second, "lab3")).map((a) => a.action);
    expect(actions).not.toContain("cluster.remind");
    expect(actions).toContain("cluster.destroyed");
  });

  it("an expiry that happens while running is not called a downtime expiry", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-expiry-"));
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    const t = await boot(clock, randomBytes(32));
    const c = await readyCluster(t, "console:bob", "lab3");
    clock.set(c.expires_at! + 30_000);
    await t.core.sweep();
    await t.idle();
    expect(t.port.dmsTo("console:bob").find((s) => s.card.title === "lab3 expired")!.card.text).not.toContain("not running");
    expect((await auditOf(t, "lab3")).find((a) => a.action === "cluster.expire")!.detail).not.toContain("down");
  });
});
