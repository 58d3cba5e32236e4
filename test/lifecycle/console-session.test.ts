/**
 * End to end through the console adapter (examples/lifecycle-demo.txt): reminder, Extend button, expiry.
 * The bot process runs on the wall clock, so this runs the real ConsoleChat and a real core in-process on a
 * ManualClock instead; "# later: <duration>" lines move the clock and run the sweep.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Readable } from "node:stream";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { ROOT } from "../helpers/bot-process.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";
import { parseDuration } from "../../src/config/duration.ts";
import { ConsoleChat } from "../../adapters/console/console-chat.ts";
import { DAY } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

describe("console session: reminder → Extend button → expiry", () => {
  it("runs examples/lifecycle-demo.txt on a manual clock", async () => {
    const start = Date.UTC(2026, 0, 12, 9);
    const clock = new ManualClock(start);
    t = await makeCore({ clock, config: { ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 0 } } } });
    let out = "";
    const output = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    const chat = new ConsoleChat({ core: t.core, input: Readable.from([]), output, interactive: false });
    const marks: Record<string, number> = {};
    for (const raw of readFileSync(join(ROOT, "examples", "lifecycle-demo.txt"), "utf8").split("\n")) {
      const line = raw.trim();
      const later = /^# later: (\S+)$/.exec(line);
      if (later) {
        clock.advance(parseDuration(later[1]!)!);
        // Output from here on happened at this day.
        marks[`+${Math.round((clock.now() - start) / DAY)}d`] = out.length;
        await t.core.sweep();
        await t.idle();
        continue;
      }
      await chat.handle(line);
    }
    await t.idle();
    const day = (n: number) => new Date(start + n * DAY).toISOString().slice(0, 10);

    // Before the first jump: approved, ready, namespace made, a namespace kubeconfig DMed to Carol, quota shown.
    const early = out.slice(0, marks["+13d"]);
    expect(early).toContain("✓ Approved request #1");
    expect(early).toContain("✓ Namespace team-a created on lab3");
    expect(early).toMatch(/\[DM to console:carol\]\n✓ Kubeconfig for namespace team-a of lab3 \(cs401\)[\s\S]*?📎 cs401-lab3-team-a\.kubeconfig/);
    expect(early).toMatch(/│ +namespace: team-a/);
    expect(early).toMatch(/Quota of cs401[\s\S]*nodes\s+2 of 60/);
    expect(early).toContain("Owners in cs401 may keep a cluster at most 60d from now");
    expect(early).not.toContain("lab3 expires in");

    // Day 13: the reminder DM with both buttons; Bob's Extend press moves the expiry from day 14 to day 21.
    const reminder = out.slice(marks["+13d"], marks["+20d"]);
    expect(reminder).toMatch(/\[DM to console:bob\]\n! lab3 expires in 24 hours[\s\S]*?\[\d+\] Extend {3}\[\d+\] Delete now/);
    expect(reminder).toContain(`✓ lab3 now expires ${day(21)} 09:00 UTC`);
    expect(reminder).toContain(`Expires: ${day(21)} 09:00 UTC`);
    expect(reminder).not.toContain("lab3 expired");

    // Day 20: a second reminder for the new expiry. Day 21: expired, destroyed, Bob told; the list is empty.
    const second = out.slice(marks["+20d"], marks["+21d"]);
    expect(second).toMatch(/\[DM to console:bob\]\n! lab3 expires in 24 hours/);
    const end = out.slice(marks["+21d"]);
    expect(end).toMatch(/\[DM to console:bob\]\n! lab3 expired\n {2}Your cluster lab3 \(cs401\) reached its expiry/);
    expect(end).toMatch(/thread of message \d+\]\n! ⏰ Expired/);
    expect(end).toMatch(/thread of message \d+\]\n• ✓ Deleted/);
    expect(end).toContain("You have none.");
    // Ada's audit view shows the whole story, newest first.
    const audit = end.slice(end.indexOf("Audit log of cs401 for lab3"));
    const actions = [...audit.matchAll(/UTC {2}\S+ {2}(\S+)/g)].map((m) => m[1]);
    expect(actions.slice(0, 6)).toEqual(["cluster.destroyed", "cluster.expire", "cluster.remind", "cluster.extend", "cluster.remind", "cluster.extend"]);
  });
});
