import { afterEach, describe, expect, it } from "vitest";
import { GRAMMAR } from "../../src/commands/grammar.ts";
import { startDiscordTest, type DiscordTest } from "./helpers.ts";

let t: DiscordTest | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

interface Opt { name: string; type: number; required?: boolean; choices?: { value: string }[]; autocomplete?: boolean; min_value?: number; max_value?: number; options?: Opt[] }

const TYPE = { String: 3, Integer: 4, User: 6 };

describe("Discord start-up", () => {
  it("logs in with only the Guilds intent and registers /cluster from the grammar: every command and option, typed", async () => {
    t = await startDiscordTest();
    // The gateway saw one IDENTIFY with the bot token and no privileged intent (members 1<<1, presences 1<<8, message content 1<<15).
    expect(t.fake.gateway.identifies).toHaveLength(1);
    expect(t.fake.gateway.identifies[0]!.intents).toBe(1);
    const puts = t.fake.callsTo("PUT", new RegExp(`^/applications/${t.fake.applicationId}/guilds/${t.fake.guildId}/commands$`));
    expect(puts.map((c) => c.status)).toEqual([200]);

    const [cluster, ...others] = puts[0]!.body as (Opt & { contexts: number[] })[];
    expect(others).toHaveLength(0);
    expect(cluster!.name).toBe("cluster");
    expect(cluster!.contexts).toEqual([0]);
    const subs = cluster!.options!;
    expect(subs.map((s) => s.name).sort()).toEqual(GRAMMAR.map((c) => c.name).sort());
    for (const spec of GRAMMAR) {
      const sub = subs.find((s) => s.name === spec.name)!;
      expect(sub.type).toBe(1);
      const opts = sub.options ?? [];
      const expected = [...spec.args.map((a) => [a.name, a.required] as const), ...spec.options.map((o) => [o.key, false] as const)];
      expect(opts.map((o) => o.name).sort(), spec.name).toEqual(expected.map(([n]) => n).sort());
      for (const [name, required] of expected) expect(opts.find((o) => o.name === name)!.required, `${spec.name} ${name}`).toBe(required);
      // Discord rejects a required option after an optional one.
      const firstOptional = opts.findIndex((o) => !o.required);
      if (firstOptional >= 0) expect(opts.slice(firstOptional).every((o) => !o.required), spec.name).toBe(true);
      for (const arg of spec.args) {
        const o = opts.find((x) => x.name === arg.name)!;
        if (arg.kind === "cluster" || arg.kind === "request") expect(o.autocomplete, `${spec.name} ${arg.name}`).toBe(true);
        if (arg.choices) expect(o.choices?.map((c) => c.value), `${spec.name} ${arg.name}`).toEqual([...arg.choices]);
        if ((arg.kind as string) === "person") expect(o.type).toBe(TYPE.User);
      }
      for (const opt of spec.options) {
        const o = opts.find((x) => x.name === opt.key)!;
        if (opt.kind === "tenant") expect(o.autocomplete).toBe(true);
      }
    }
    const create = subs.find((s) => s.name === "create")!.options!;
    const workers = create.find((o) => o.name === "workers")!;
    expect([workers.type, workers.min_value, workers.max_value]).toEqual([TYPE.Integer, 0, 3]);
    expect(create.find((o) => o.name === "size")!.choices!.map((c) => c.value)).toEqual(["small", "medium", "large"]);
    expect(create.find((o) => o.name === "ttl")!.type).toBe(TYPE.String);
    expect(create.find((o) => o.name === "name")!.required).toBe(true);
    const help = subs.find((s) => s.name === "help")!.options!;
    expect(help[0]!.choices!.map((c) => c.value)).toEqual(GRAMMAR.map((c) => c.name));

    // The bot token went only into the Authorization header and IDENTIFY, never into a log line.
    expect(t.logs.join("")).not.toContain(t.fake.token);
  });

  it("keeps the gateway session alive: heartbeats are acknowledged, so the client never reconnects as a zombie", async () => {
    t = await startDiscordTest({ heartbeatIntervalMs: 40 });
    await t.fake.waitFor(() => t!.fake.gateway.heartbeats >= 3);
    expect(t.fake.gateway.connections).toBe(1);
    expect(t.fake.gateway.identifies).toHaveLength(1);
  });

  it("refuses to start with a bad token and says why without echoing it", async () => {
    const { FakeDiscord } = await import("../fakes/discord/fake-discord.ts");
    const { startDiscord } = await import("../../adapters/discord/start.ts");
    const fake = await new FakeDiscord({ channels: [] }).start();
    try {
      const { Writable } = await import("node:stream");
      const { createLogger } = await import("../../src/log.ts");
      const { Redactor } = await import("../../src/util/redact.ts");
      const { createMetrics } = await import("../../src/metrics.ts");
      const log = createLogger("debug", new Redactor(), new Writable({ write(_c, _e, cb) { cb(); } }) as never);
      const wrong = "not-the-token.zzzzzz.0000000000";
      const started = startDiscord({ core: {} as never, token: wrong, applicationId: fake.applicationId, guildId: fake.guildId, apiUrl: fake.apiUrl, log, metrics: createMetrics(false) });
      const err = await started.then(() => undefined, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/could not start/);
      expect(err?.message).not.toContain(wrong);
      expect(fake.calls.every((c) => !c.path.includes("commands"))).toBe(true);
    } finally {
      await fake.stop();
    }
  });
});
