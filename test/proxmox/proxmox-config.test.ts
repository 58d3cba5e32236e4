/** infra.proxmox checks at start: linked clones across nodes need shared storage (issue 14.2), VM ids come from vmid_range (14.10). */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { parseVmidRange } from "../../src/config/schema.ts";

function withProxmox(proxmox: Record<string, unknown>): unknown {
  return {
    tenants: { cs401: { name: "CS401", channels: ["slack:C1"] } },
    network: { pool: "10.0.0.10-10.0.0.20", prefix: 24, gateway: "10.0.0.1" },
    infra: {
      driver: "proxmox",
      proxmox: { endpoint: "https://pve1.dept.example:8006/", token_id: "labforge@pve!bot", nodes: ["pve1"], template_vmid: 9000, datastore: "local-lvm", bridge: "vmbr0", ...proxmox },
    },
  };
}

function problemsOf(raw: unknown): string[] {
  try { parseConfig(raw, "t"); } catch (e) { if (e instanceof ConfigError) return e.problems; throw e; }
  return [];
}

describe("infra.proxmox: linked clones and storage", () => {
  it("refuses linked clones on two nodes with storage not marked shared, naming the three fixes", () => {
    const problems = problemsOf(withProxmox({ nodes: ["pve1", "pve2"] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^infra\.proxmox\.linked_clones: linked clones on 2 nodes need shared storage, and local-lvm is not marked shared/);
    expect(problems[0]).toContain("shared_storage: true");
    expect(problems[0]).toContain("list only the template's node");
    expect(problems[0]).toContain("linked_clones: false");
  });

  it.each([
    ["one node", { nodes: ["pve1"] }],
    ["full clones", { nodes: ["pve1", "pve2"], linked_clones: false }],
    ["shared storage", { nodes: ["pve1", "pve2"], datastore: "ceph-vm", shared_storage: true }],
  ])("accepts %s", (_what, over) => {
    expect(problemsOf(withProxmox(over))).toEqual([]);
  });

  it("defaults to local storage and linked clones", () => {
    const c = parseConfig(withProxmox({}), "t");
    expect(c.infra.proxmox).toMatchObject({ linked_clones: true, shared_storage: false });
    expect(c.infra.proxmox?.vmid_range).toBeUndefined();
  });
});

describe("infra.proxmox.vmid_range", () => {
  it("parses a range of VM ids", () => {
    expect(parseVmidRange("41000-41999")).toEqual({ first: 41000, last: 41999 });
    expect(parseVmidRange(" 100 - 100 ")).toEqual({ first: 100, last: 100 });
  });

  it.each(["41999-41000", "99-200", "41000", "41000-", "a-b", "41000-41999-42000", "1000000000-1000000001"])("rejects %j", (r) => {
    expect(parseVmidRange(r)).toBeUndefined();
    expect(problemsOf(withProxmox({ vmid_range: r }))).toEqual([
      "infra.proxmox.vmid_range: expected a range of VM ids like 41000-41999 (100–999999999)",
    ]);
  });

  it("must not contain the template's VM id", () => {
    expect(problemsOf(withProxmox({ vmid_range: "8000-9999" }))).toEqual(["infra.proxmox.vmid_range: the range must not contain template_vmid 9000"]);
    expect(parseConfig(withProxmox({ vmid_range: "41000-41999" }), "t").infra.proxmox?.vmid_range).toBe("41000-41999");
  });
});

describe("cluster sizes the proxmox driver accepts", () => {
  it("refuses a disk smaller than the template's 12 GiB before terraform sees it", async () => {
    const { checkSpec } = await import("../../src/provisioning/proxmox/spec-schema.ts");
    const { clusterSpec } = await import("./support.ts");
    expect(() => checkSpec(clusterSpec({ diskGb: 11 }))).toThrow("invalid cluster spec: diskGb: must be at least the template's 12 GiB");
    expect(checkSpec(clusterSpec({ diskGb: 12 })).diskGb).toBe(12);
  });
});
