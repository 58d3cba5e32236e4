import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/util/clock.ts";
import { blocksText, buttonIds, slackConfig, startRig, waitFor, type SlackRig } from "./helpers.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

const HOUR = 3_600_000;

describe("Slack: a student's cluster through its lifetime", () => {
  it("gets the reminder DM, is extended with its button, and later expires with a DM to its owner", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    rig = await startRig("http", { config: slackConfig(1), clock });
    const { fake, t } = rig;
    const created = await rig.command("U0S0", "C0DSG", "create exp1 ttl=2d");
    expect((await rig.responseFor(created.responseUrl)).text).toContain("queued");
    await t.idle();
    const cluster = async () => t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "exp1").executeTakeFirstOrThrow();
    const readyAt = (await cluster()).expires_at!;
    expect(readyAt).toBe(clock.now() + 48 * HOUR);

    // One hour before the reminder is due: nothing. At T−24h: one reminder with Extend / Delete now.
    const dmText = () => [...fake.messages.values()].filter((m) => m.channel === "DU0S0").map((m) => blocksText(m.blocks));
    clock.set(readyAt - 25 * HOUR);
    await t.core.sweep();
    await t.idle();
    expect(dmText().some((x) => x.includes("expires in"))).toBe(false);
    clock.set(readyAt - 24 * HOUR);
    await t.core.sweep();
    await t.core.sweep();
    await t.idle();
    const reminders = [...fake.messages.values()].filter((m) => m.channel === "DU0S0" && blocksText(m.blocks).includes("expires in"));
    expect(reminders).toHaveLength(1);
    const extendId = buttonIds(reminders[0]!.blocks).find((id) => id.startsWith("lf:extend:"))!;
    expect(buttonIds(reminders[0]!.blocks)).toContain(extendId.replace("extend", "delete.now"));

    // The Extend button moves the expiry by the tenant's extend step (default 7d).
    const pressed = await rig.press("U0S0", "DU0S0", extendId);
    expect((await rig.responseFor(pressed.responseUrl)).response_type).toBe("ephemeral");
    await t.idle();
    const extended = (await cluster()).expires_at!;
    expect(extended).toBe(readyAt + 7 * 24 * HOUR);

    // At the new expiry the cluster is destroyed and the owner told by DM.
    clock.set(extended);
    await t.core.sweep();
    await t.idle();
    expect((await cluster()).state).toBe("deleted");
    await waitFor(() => dmText().find((x) => x.includes("exp1 expired")), "the expiry DM");
    expect(await t.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).toHaveLength(0);
  });
});
