import { describe, expect, it } from "vitest";
import { commandText } from "../../adapters/discord/command-text.ts";
import { specOf, type CommandSpec } from "../../src/commands/grammar.ts";
import { parseCommand } from "../../src/commands/parse.ts";

const spec = (name: string) => specOf(name)!;

describe("typed Discord options → the core's command text", () => {
  it("writes args in grammar order, options as key=value, and the free-text reason last", () => {
    expect(commandText(spec("create"), [{ name: "size", value: "medium" }, { name: "workers", value: 2 }, { name: "name", value: "lab3" }]))
      .toEqual({ ok: true, text: "create lab3 workers=2 size=medium" });
    expect(commandText(spec("reject"), [{ name: "reason", value: "use the shared cluster" }, { name: "tenant", value: "cs401" }, { name: "request", value: "12" }]))
      .toEqual({ ok: true, text: "reject 12 tenant=cs401 use the shared cluster" });
    expect(commandText(spec("list"), [])).toEqual({ ok: true, text: "list" });
    // What it writes, the parser reads back to the same values.
    const r = commandText(spec("create"), [{ name: "name", value: "lab3" }, { name: "ttl", value: "7d" }, { name: "tenant", value: "cs401" }]);
    expect(r.ok && parseCommand(r.text)).toEqual({ kind: "command", name: "create", args: { name: "lab3" }, options: { ttl: "7d", tenant: "cs401" } });
  });

  it("refuses values that would smuggle in another word or option", () => {
    expect(commandText(spec("create"), [{ name: "name", value: "lab3 tenant=dsg" }]).ok).toBe(false);
    expect(commandText(spec("create"), [{ name: "name", value: "workers=3" }]).ok).toBe(false);
    expect(commandText(spec("create"), [{ name: "name", value: "lab3" }, { name: "ttl", value: "7d size=large" }]).ok).toBe(false);
    expect(commandText(spec("create"), [{ name: "name", value: "lab3" }, { name: "ttl", value: "7d\nx" }]).ok).toBe(false);
    expect(commandText(spec("reject"), [{ name: "request", value: "12" }, { name: "reason", value: "tenant=dsg because" }]).ok).toBe(false);
    expect(commandText(spec("reject"), [{ name: "request", value: "12" }, { name: "reason", value: "line\u0000break" }]).ok).toBe(false);
    expect(commandText(spec("create"), [{ name: "name", value: "lab3" }, { name: "workers", value: 1.5 }]).ok).toBe(false);
    expect(commandText(spec("create"), [{ name: "name", value: "lab3" }, { name: "colour", value: "red" }]).ok).toBe(false);
  });

  it("turns a Discord user option into a discord: identity", () => {
    // A command with a person argument, as the grammar declares grant (built here so the test stands on its own).
    const grant = {
      name: "grant", summary: "give a role", who: "instructors", examples: [], options: [],
      args: [{ name: "person", kind: "person", required: true, description: "who" }, { name: "role", kind: "role", required: true, choices: ["ta"], description: "role" }],
    } as unknown as CommandSpec;
    expect(commandText(grant, [{ name: "person", value: "1200000000000000003" }, { name: "role", value: "ta" }])).toEqual({ ok: true, text: "grant discord:1200000000000000003 ta" });
    expect(commandText(grant, [{ name: "person", value: "<@1> x" }, { name: "role", value: "ta" }]).ok).toBe(false);
  });
});
