/** The grammar of the lifecycle commands: every example in help parses, and the new value kinds check what users type. */
import { describe, expect, it } from "vitest";
import { GRAMMAR, specOf, usageOf } from "../../src/commands/grammar.ts";
import { parseCommand } from "../../src/commands/parse.ts";

describe("grammar", () => {
  it.each(GRAMMAR.flatMap((c) => c.examples))("help example %j parses", (example) => {
    expect(parseCommand(example)).toMatchObject({ kind: "command" });
  });

  it("shows the new commands' usage", () => {
    expect(usageOf(specOf("ns")!)).toBe("/cluster ns create|delete|list|kubeconfig <cluster> [<namespace>] [for=<identity|@mention>] [tenant=<id>]");
    expect(usageOf(specOf("grant")!)).toBe("/cluster grant <person> viewer|student|ta|instructor [tenant=<id>]");
    expect(usageOf(specOf("extend")!)).toBe("/cluster extend <name> <duration> [tenant=<id>]");
  });

  it.each([
    ["ns kubeconfig lab3 team-a for=<@U0BOB|bob>", { action: "kubeconfig", cluster: "lab3", namespace: "team-a" }, { for: "<@U0BOB|bob>" }],
    ["ns LIST lab3", { action: "list", cluster: "lab3" }, {}],
    ["grant <@!1200000000000000001> TA", { person: "<@!1200000000000000001>", role: "ta" }, {}],
    ["extend lab3 2w tenant=cs401", { name: "lab3", duration: "2w" }, { tenant: "cs401" }],
    ["audit", {}, {}],
  ])("%s", (text, args, options) => {
    expect(parseCommand(text)).toEqual({ kind: "command", name: text.split(" ")[0], args, options });
  });

  it.each([
    ["ns create lab3 Team-A", 'namespace "Team-A" is not valid'],
    ["ns create lab3 a.b", 'namespace "a.b" is not valid'],
    [`ns create lab3 ${"a".repeat(64)}`, "is not valid"],
    ["ns rename lab3 a", "action must be one of create, delete, list, kubeconfig"],
    ["ns kubeconfig lab3 team-a for=bob", 'for "bob" is not a person'],
    ["grant slack:U0BOB admin", "role must be one of viewer, student, ta, instructor"],
    ["grant U0BOB ta", 'person "U0BOB" is not a person'],
    ["revoke", "person is missing"],
    ["extend lab3 3y", "duration must be a duration like 30m, 12h, 7d or 2w"],
    ["quota all", 'unexpected "all"'],
  ])("%s → usage error", (text, error) => {
    const r = parseCommand(text);
    expect(r.kind).toBe("usage");
    if (r.kind === "usage") expect(r.error).toContain(error);
  });
});
