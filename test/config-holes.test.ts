/** Configuration holes (issue 13.4): each one refused with its path, one problem per mistake, YAML errors quoting their line. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../src/config/load.ts";
import { baseConfig } from "./helpers/harness.ts";

function problemsOf(raw: unknown): string[] {
  try { parseConfig(raw, "labforge.yaml"); } catch (e) { if (e instanceof ConfigError) return e.problems; throw e; }
  throw new Error("expected a ConfigError");
}

function withNetwork(network: Record<string, unknown>): unknown {
  const raw: any = baseConfig();
  raw.network = { ...raw.network, ...network };
  return raw;
}

describe("network holes", () => {
  it("refuses a pool holding the network address", () => {
    expect(problemsOf(withNetwork({ pool: "10.40.19.0-10.40.19.20" }))).toEqual(["network.pool: the pool must not hold the network address 10.40.19.0"]);
  });

  it("refuses a pool holding the broadcast address, at any prefix", () => {
    expect(problemsOf(withNetwork({ pool: "10.40.19.201-10.40.19.255", gateway: "10.40.19.1" }))).toEqual(["network.pool: the pool must not hold the broadcast address 10.40.19.255"]);
    expect(problemsOf(withNetwork({ pool: "10.40.16.10-10.40.19.255", prefix: 22, gateway: "10.40.16.1" }))).toEqual(["network.pool: the pool must not hold the broadcast address 10.40.19.255"]);
    // The same range is fine inside a wider network, where .255 is an ordinary address.
    expect(() => parseConfig(withNetwork({ pool: "10.40.19.201-10.40.19.255", prefix: 16, gateway: "10.40.19.1" }), "t")).not.toThrow();
  });

  it("refuses a DNS server inside the pool, naming which one", () => {
    expect(problemsOf(withNetwork({ dns: ["10.40.2.1", "10.40.19.201"] }))).toEqual(["network.dns[1]: the DNS server 10.40.19.201 must lie outside the pool"]);
  });

  it("still refuses the gateway inside the pool", () => {
    expect(problemsOf(withNetwork({ gateway: "10.40.19.250" }))).toEqual(["network.gateway: the gateway must lie outside the pool"]);
  });

  it("gives one problem for a bad prefix, not follow-ons about the pool", () => {
    expect(problemsOf(withNetwork({ prefix: 33 }))).toEqual(["network.prefix: expected a prefix from 8 to 30"]);
    expect(problemsOf(withNetwork({ pool: "10.40.19.250-10.40.19.201" }))).toEqual(["network.pool: expected a range like 10.40.19.201-10.40.19.250"]);
  });
});

describe("approval channel", () => {
  it("refuses another tenant's course channel as an approval channel", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.approval_channel = "console:#dsg";
    expect(problemsOf(raw)).toEqual(["tenants.cs401.approval_channel: console:#dsg is a course channel of tenant dsg; use a staff channel of cs401"]);
  });

  it("accepts a staff channel of its own, or its own course channel", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.approval_channel = "console:#cs401-staff";
    raw.tenants.dsg.approval_channel = "console:#dsg";
    expect(() => parseConfig(raw, "t")).not.toThrow();
  });
});

describe("no follow-on problems", () => {
  it("a mistyped duration gives one problem, not 'extend_step must not exceed max_ttl' too", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.limits = { extend_step: "7days" };
    expect(problemsOf(raw)).toEqual(["tenants.cs401.limits.extend_step: expected a duration like 30m, 12h, 7d or 2w"]);
    raw.tenants.cs401.limits = { max_ttl: "60days", default_ttl: "14d", extend_step: "7d" };
    expect(problemsOf(raw)).toEqual(["tenants.cs401.limits.max_ttl: expected a duration like 30m, 12h, 7d or 2w"]);
  });

  it("still reports a real ordering problem once the values parse", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.limits = { max_ttl: "7d", extend_step: "14d" };
    expect(problemsOf(raw)).toEqual([
      "tenants.cs401.limits.default_ttl: default_ttl must not exceed max_ttl",
      "tenants.cs401.limits.extend_step: extend_step must not exceed max_ttl",
    ]);
  });
});

describe("YAML syntax errors", () => {
  const load = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "labforge-yaml-")), "labforge.yaml");
    writeFileSync(file, text);
    try { loadConfigFile(file, true); } catch (e) { if (e instanceof ConfigError) return e.problems; throw e; }
    throw new Error("expected a ConfigError");
  };

  it("quotes the whole offending line, however long", () => {
    const long = `    name: CS401 ${"Distributed Systems ".repeat(8)}`;
    const problems = load(`tenants:\n  cs401:\n${long}\n    name: again\n`);
    expect(problems).toEqual([`line 4: Map keys must be unique: ${JSON.stringify("    name: again")}`]);
    const bad = load(`network:\n  pool: 10.0.0.10-10.0.0.20\n  dns: [10.0.0.1\nqueue: {}\n`);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^line \d+: .+: "/);
  });

  it("points an unclosed quote at the line that has it, not the empty end of the file", () => {
    expect(load(`tenants: {}\nnetwork:\n  pool: "10.0.0.10-10.0.0.20\n`)).toEqual([
      expect.stringMatching(/^line 3: Missing closing "quote: "  pool: \\"10\.0\.0\.10-10\.0\.0\.20"$/),
    ]);
  });
});
