/** Day-2 on Discord (real discord.js against the fake): Stop/Start buttons on the root message, and `scale` with its integer option. */
import { afterEach, describe, expect, it } from "vitest";
import { buttonsOf, CHANNEL, embedOf, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";
import type { Answer } from "../fakes/discord/interactions.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

function message(a: Answer) {
  if (a.kind !== "message") throw new Error(`expected a message, got ${a.kind}`);
  return a;
}

describe("Discord: day-2 operations", () => {
  it("registers workers=0..50 for scale, stops and starts by the root message's buttons, and scales by the subcommand", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    const put = f.callsTo("PUT", /\/commands$/)[0]!.body as { options: { name: string; options?: { name: string; type: number; min_value?: number; max_value?: number }[] }[] }[];
    const scale = put[0]!.options.find((s) => s.name === "scale")!;
    expect(scale.options!.find((o) => o.name === "workers")).toMatchObject({ type: 4, min_value: 0, max_value: 50 });
    expect(put[0]!.options.map((s) => s.name)).toEqual(expect.arrayContaining(["stop", "start", "scale", "rebuild"]));

    // Dan (dsg instructor, no approvals) makes a cluster.
    message(await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "create", { name: "lab9", workers: 1 })));
    await t.idle();
    const root = () => f.messagesIn(CHANNEL.dsg)[0]!;
    const state = () => embedOf(root()).fields!.find((x) => x.name === "State")!.value;
    expect(state()).toBe("Ready");
    const stop = buttonsOf(root()).find((b) => b.startsWith("lf:stop:"));
    expect(stop).toBeDefined();
    const id = stop!.slice("lf:stop:".length);

    // Another person may not press it.
    const denied = message(await f.interactions.answer(f.interactions.press(USERS.bob, root(), stop!)));
    expect(denied.ephemeral).toBe(true);
    expect(state()).toBe("Ready");

    const stopping = message(await f.interactions.answer(f.interactions.press(USERS.dan, root(), stop!)));
    expect(embedOf(stopping.message).title).toBe("Stopping lab9");
    await t.idle();
    expect(state()).toBe("Stopped (powered off)");
    expect(buttonsOf(root())).toEqual([`lf:start:${id}`]);

    message(await f.interactions.answer(f.interactions.press(USERS.dan, root(), `lf:start:${id}`)));
    await t.idle();
    expect(state()).toBe("Ready");

    const scaled = message(await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "scale", { name: "lab9", workers: 2 })));
    expect(embedOf(scaled.message).title).toBe("Scaling lab9 to 2 workers");
    await t.idle();
    expect(embedOf(root()).fields!.find((x) => x.name === "IPs")!.value).toBe("dsg-lab9-cp 10.40.19.201, dsg-lab9-w1 10.40.19.202, dsg-lab9-w2 10.40.19.203");
    expect(f.messagesIn(root().id).map((m) => embedOf(m).title)).toEqual(expect.arrayContaining(["✓ Stopped", "✓ Started", "✓ Joining workers", "✓ Scaled to 2 workers"]));
  });
});
