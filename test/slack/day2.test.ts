/** Day-2 on Slack (real Bolt in HTTP mode against the fake): the auto-stop warning DM and its Keep running button, then the stop. */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/util/clock.ts";
import { blocksText, buttonIds, slackConfig, startRig, type SlackRig } from "./helpers.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

const HOUR = 3_600_000;
const MIN = 60_000;

describe("Slack: auto-stop", () => {
  it("warns by DM 30 minutes before, Keep running postpones it by `after`, then the cluster stops and the root message offers Start", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    const config = slackConfig(1) as { tenants: { dsg: Record<string, unknown> } };
    config.tenants.dsg.auto_stop = { after: "8h" };
    rig = await startRig("http", { config, clock });
    const { fake, t } = rig;
    await rig.command("U0S0", "C0DSG", "create lab5");
    await t.idle();
    const cluster = () => t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "lab5").executeTakeFirstOrThrow();
    const started = (await cluster()).started_at!;
    const warnings = () => [...fake.messages.values()].filter((m) => m.channel === "DU0S0" && blocksText(m.blocks).includes("stops in"));

    clock.set(started + 8 * HOUR - 30 * MIN);
    await t.core.sweep();
    await t.idle();
    expect(warnings()).toHaveLength(1);
    const keep = buttonIds(warnings()[0]!.blocks).find((id) => id.startsWith("lf:keep_running:"));
    expect(keep).toBeDefined();
    const pressed = await rig.press("U0S0", "DU0S0", keep!);
    expect((await rig.responseFor(pressed.responseUrl)).text).toContain("lab5 keeps running");
    expect((await cluster()).auto_stop_at).toBe(started + 16 * HOUR - 30 * MIN);

    clock.set(started + 16 * HOUR - 30 * MIN);
    await t.core.sweep();
    await t.idle();
    const c = await cluster();
    expect(c.state).toBe("stopped");
    // The root message (ref slack:<channel>:<ts>, stored by the fake as <channel>:<ts>) was updated in place.
    const root = fake.messages.get(c.root_ref!.slice("slack:".length))!;
    expect(root.updates).toBeGreaterThan(0);
    expect(buttonIds(root.blocks)).toEqual([`lf:start:${c.id}`]);
  });
});
