import { afterEach, describe, expect, it } from "vitest";
import { startDiscord } from "../../adapters/discord/start.ts";
import { buttonsOf, CHANNEL, embedOf, startDiscordTest, USERS, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("Discord: an adapter restart", () => {
  it("registers /cluster again (idempotent) and finds a root message's thread again instead of losing the reply", async () => {
    t = await startDiscordTest();
    const f = t.fake;
    await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "create", { name: "exp1" }));
    await t.idle();
    const root = f.messagesIn(CHANNEL.dsg)[0]!;
    expect(f.messagesIn(root.id)).toHaveLength(6);

    // A new adapter with empty memory takes over (as after a process restart; the core keeps the root ref).
    await t.adapter.stop();
    const log = t.core.app.log;
    t.adapter = await startDiscord({ core: t.core, token: f.token, applicationId: f.applicationId, guildId: f.guildId, apiUrl: f.apiUrl, log, metrics: t.metrics });
    const puts = f.callsTo("PUT", /\/commands$/);
    expect(puts.map((c) => c.status)).toEqual([200, 200]);
    expect(puts[1]!.body).toEqual(puts[0]!.body);

    // The new process never saw the thread, yet a command typed in it still belongs to the course channel.
    const status = await f.interactions.answer(f.interactions.slash(USERS.root, { id: root.id, parent: CHANNEL.dsg }, "status", { name: "exp1" }));
    expect(status.kind === "message" && embedOf(status.message).title).toBe("exp1 · dsg");

    const asked = await f.interactions.answer(f.interactions.slash(USERS.dan, { id: CHANNEL.dsg }, "delete", { name: "exp1" }));
    if (asked.kind !== "message") throw new Error("expected a message");
    expect(asked.ephemeral).toBe(true);
    const confirm = buttonsOf(asked.message).find((id) => id.startsWith("lf:delete.confirm:"))!;
    await f.interactions.answer(f.interactions.press(USERS.dan, asked.message, confirm));
    await t.idle();

    // Discord refused a second thread on the root message (160004); the reply still went into the first thread.
    expect(f.callsTo("POST", /\/threads$/).map((c) => c.status)).toEqual([201, 400]);
    expect(embedOf(f.messagesIn(root.id).at(-1)!).title).toBe("✓ Deleted");
    expect(embedOf(root).fields!.find((x) => x.name === "State")!.value).toBe("Deleted");
    expect(f.messagesIn(CHANNEL.dsg)).toHaveLength(1);
  });
});
