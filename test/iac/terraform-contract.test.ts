import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rootModule } from "../../src/provisioning/proxmox/workspace-files.ts";

// The proxmox driver is written against one set of Terraform variables and
// one `nodes` output. The production module, the example root module and the
// offline test fixture must expose exactly that, so their variables.tf files
// are kept identical and their outputs are checked here.
const ROOT = join(import.meta.dirname, "..", "..");
const MODULE = "iac/modules/k8s-cluster";
const COPIES = ["iac/root", "test/fixtures/terraform/k8s-cluster"];

const CONTRACT = [
  "cluster_id", "cluster_name", "tenant",
  "workers", "vcpus", "memory_mb", "disk_gb",
  "ips", "prefix", "gateway", "dns",
  "ssh_public_key", "ssh_user",
  "proxmox_endpoint", "proxmox_api_token", "proxmox_insecure", "proxmox_nodes", "placement", "vm_ids",
  "template_vmid", "datastore", "bridge", "linked_clones", "started",
  "kubernetes_version", "pod_cidr",
];

const read = (dir: string, file: string): string => readFileSync(join(ROOT, dir, file), "utf8");
const variableNames = (hcl: string): string[] => [...hcl.matchAll(/^variable "([a-z0-9_]+)"/gm)].map((m) => m[1] ?? "");

describe("Terraform contract with the driver", () => {
  it("declares exactly the contract variables in the module", () => {
    expect(variableNames(read(MODULE, "variables.tf")).sort()).toEqual([...CONTRACT].sort());
  });

  it.each(COPIES)("keeps %s/variables.tf identical to the module's", (dir) => {
    expect(read(dir, "variables.tf")).toBe(read(MODULE, "variables.tf"));
  });

  it("passes every contract variable from the example root to the module", () => {
    const call = /module "cluster" \{([\s\S]*?)\n\}/.exec(read("iac/root", "main.tf"))?.[1] ?? "";
    const passed = [...call.matchAll(/^\s+([a-z0-9_]+)\s*=\s*var\.([a-z0-9_]+)$/gm)].map((m) => (m[1] === m[2] ? m[1] : `${m[1]}≠${m[2]}`));
    expect(passed.sort()).toEqual([...CONTRACT].sort());
  });

  it("has the driver write exactly the contract variables into a workspace's root module", () => {
    const root = rootModule("./module", true) as { variable: Record<string, unknown>; module: { cluster: Record<string, unknown> } };
    expect(Object.keys(root.variable).sort()).toEqual([...CONTRACT].sort());
    expect(Object.keys(root.module.cluster).filter((k) => k !== "source").sort()).toEqual([...CONTRACT].sort());
  });

  it("marks the API token sensitive and gives it no default", () => {
    const block = /variable "proxmox_api_token" \{[\s\S]*?\n\}/.exec(read(MODULE, "variables.tf"))?.[0] ?? "";
    expect(block).toMatch(/sensitive\s*=\s*true/);
    expect(block).not.toMatch(/default\s*=/);
  });

  it.each([MODULE, ...COPIES])("has a `nodes` output in %s", (dir) => {
    expect(read(dir, "outputs.tf")).toMatch(/^output "nodes" \{/m);
  });

  it("adds only the test knobs hang_seconds, clone_seconds and clone_log to the fixture", () => {
    expect(variableNames(read(COPIES[1] ?? "", "hang.tf"))).toEqual(["hang_seconds", "clone_seconds", "clone_log"]);
  });
});
