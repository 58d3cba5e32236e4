import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../src/config/load.ts";
import { loadSettings } from "../src/config/settings.ts";
import { baseConfig } from "./helpers/harness.ts";

function problemsOf(fn: () => unknown): string[] {
  try { fn(); } catch (e) { if (e instanceof ConfigError) return e.problems; throw e; }
  throw new Error("expected a ConfigError");
}

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "labforge-cfg-")), "labforge.yaml");
  writeFileSync(file, text);
  return file;
}

describe("configuration", () => {
  it("fills the documented defaults", () => {
    const c = parseConfig({ tenants: { cs401: { name: "CS401", channels: ["slack:C1"] } }, network: { pool: "10.0.0.10-10.0.0.20", prefix: 24, gateway: "10.0.0.1" } }, "t");
    expect(c.tenants.cs401).toMatchObject({ approvals: "students", approval_timeout: 72 * 3_600_000, quota: {} });
    expect(c.tenants.cs401!.limits).toEqual({ max_workers: 3, per_user_clusters: 1, default_ttl: 14 * 86_400_000, max_ttl: 60 * 86_400_000, max_lifetime: 180 * 86_400_000 });
    expect(Object.keys(c.sizes)).toEqual(["small", "medium", "large"]);
    expect(c.queue).toEqual({ max_parallel_jobs: 3, max_parallel_clones: 2 });
    expect(c.infra.driver).toBe("simulated");
  });

  it("lists every problem by its path", () => {
    const raw: any = baseConfig();
    raw.tenants.cs401.limits.max_workers = -1;
    raw.tenants.cs401.limits.default_ttl = "forever";
    raw.tenants.cs401.colour = "red";
    raw.members[0].identities = ["ada"];
    raw.members[1].roles = { nope: "ta" };
    raw.network.gateway = "10.40.19.210";
    const problems = problemsOf(() => parseConfig(raw, "labforge.yaml"));
    expect(problems).toEqual(expect.arrayContaining([
      "tenants.cs401.limits.max_workers: expected a number ≥ 0",
      "tenants.cs401.limits.default_ttl: expected a duration like 30m, 12h, 7d or 2w",
      expect.stringMatching(/^tenants\.cs401: .*colour/),
      expect.stringMatching(/^members\[0\]\.identities\[0\]: expected an identity/),
      'members[1].roles.nope: unknown tenant "nope"',
      "network.gateway: the gateway must lie outside the pool",
    ]));
  });

  it("refuses a pool that crosses its prefix and a channel bound twice", () => {
    const raw: any = baseConfig();
    raw.network = { pool: "10.40.19.250-10.40.20.10", prefix: 24, gateway: "10.40.19.1" };
    raw.tenants.dsg.channels = ["console:#cs401"];
    const problems = problemsOf(() => parseConfig(raw, "x"));
    expect(problems).toContain("network.pool: the pool must lie inside one /24 network");
    expect(problems).toContain("tenants.dsg.channels: channel console:#cs401 is already bound to tenant cs401");
  });

  it("reads YAML, reports syntax errors with a line, and uses the demo config only when no path was set", () => {
    expect(problemsOf(() => loadConfigFile(writeTemp("tenants: [\n  oops"), true))[0]).toMatch(/^line \d+:/);
    expect(problemsOf(() => loadConfigFile("/nonexistent/labforge.yaml", true))[0]).toContain("file not found");
    expect(loadConfigFile("/nonexistent/labforge.yaml", false).source).toBe("built-in demo configuration");
  });

  it("accepts the commented example file", () => {
    const { config } = loadConfigFile(join(import.meta.dirname, "..", "labforge.example.yaml"), true);
    expect(config.tenants.cs401?.approval_channel).toBe("slack:C0CS401STAFF");
    expect(config.infra.proxmox?.template_vmid).toBe(9000);
    expect(config.tenants.cs401).toMatchObject({ timezone: "Europe/Berlin", auto_stop: { after: 8 * 3_600_000, at: "22:00" } });
  });

  it("checks the environment and names the fix", () => {
    expect(loadSettings({}).LABFORGE_DATA_DIR).toBe("./data");
    expect(loadSettings({ PORT: "" }).PORT).toBe(3000);
    const problems = problemsOf(() => loadSettings({ PORT: "http", LABFORGE_SECRET_KEY: "short", LABFORGE_INFRA: "vmware" }));
    expect(problems.some((p) => p.startsWith("PORT:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("LABFORGE_SECRET_KEY:") && p.includes("openssl rand -hex 32"))).toBe(true);
    expect(problems.some((p) => p.startsWith("LABFORGE_INFRA:"))).toBe(true);
  });
});
