import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseCommand } from "../src/commands/parse.ts";
import { CLUSTER_NAME_RE } from "../src/commands/values.ts";

describe("parseCommand", () => {
  it.each([
    ["create Lab3", "name \"Lab3\" is not valid"],
    ["create lab3;rm -rf /", "name \"lab3;rm\" is not valid"],
    ["create lab3 ttl=forever", "ttl must be a duration like 30m, 12h, 7d or 2w"],
    ["create lab3 workers=two", "workers must be a whole number"],
    ["create lab3 workers=1 workers=2", "workers is given twice"],
    ["create lab3 colour=red", "unknown option \"colour\"; create takes workers, size, ttl, tenant"],
    ["create lab3 size=huge", "size must be one of small, medium, large"],
    ["create ab", "name \"ab\" is not valid"],
    ["create lab-", "name \"lab-\" is not valid"],
    ["create", "name is missing"],
    ["status", "name is missing"],
    ["list everything", "scope must be one of mine, all"],
    ["frobnicate", "unknown command \"frobnicate\""],
    ["queue now", "unexpected \"now\""],
  ])("%s → usage error", (text, error) => {
    const r = parseCommand(text);
    expect(r.kind).toBe("usage");
    if (r.kind === "usage") {
      expect(r.error).toContain(error);
      expect(r.usage).toMatch(/^\/cluster /);
    }
  });

  it("accepts options in any order with defaults left to the command", () => {
    expect(parseCommand("create lab3 ttl=7d size=medium workers=2 tenant=cs401")).toEqual({
      kind: "command", name: "create", args: { name: "lab3" }, options: { ttl: "7d", size: "medium", workers: 2, tenant: "cs401" },
    });
    expect(parseCommand("  help   create ")).toEqual({ kind: "command", name: "help", args: { command: "create" }, options: {} });
    expect(parseCommand("")).toMatchObject({ kind: "command", name: "help" });
  });

  it("takes the rest of the line as a rejection reason but still reads known options", () => {
    expect(parseCommand("reject #12 tenant=cs401 please use the shared cluster")).toEqual({
      kind: "command", name: "reject", args: { request: "#12", reason: "please use the shared cluster" }, options: { tenant: "cs401" },
    });
  });

  it("uses the configured size names", () => {
    expect(parseCommand("create lab3 size=gpu", { sizes: ["small", "gpu"] })).toMatchObject({ kind: "command", options: { size: "gpu" } });
  });

  it("never throws and accepts only valid cluster names (10,000 random command strings)", () => {
    const word = fc.oneof(
      fc.constantFrom("create", "status", "delete", "kubeconfig", "list", "approve", "reject", "help", "queue", "workers=2", "ttl=7d", "size=small", "tenant=cs401", "lab3", "all", "mine", "#3", ";", "$(rm -rf /)", "'", "\"", "=", "\u0000"),
      fc.string({ maxLength: 30 }),
      fc.stringMatching(/^[a-z][-a-z0-9]{0,30}$/),
    );
    const line = fc.array(word, { maxLength: 8 }).map((ws) => ws.join(" "));
    fc.assert(fc.property(fc.oneof(line, fc.string({ maxLength: 200 })), (text) => {
      const r = parseCommand(text);
      if (r.kind === "command" && r.args.name !== undefined) {
        expect(r.args.name).toMatch(CLUSTER_NAME_RE);
        expect(r.args.name.length).toBeGreaterThanOrEqual(3);
        expect(r.args.name.length).toBeLessThanOrEqual(24);
      }
      if (r.kind === "usage") expect(r.error.length).toBeGreaterThan(0);
    }), { numRuns: 10_000 });
  });
});
