/**
 * Issue 14.1 on the real terraform and the fixture module: a workspace keeps
 * the module it was made with, its placement inputs survive config changes,
 * and an old cluster is destroyed after the module and its provider
 * constraint moved on. Also 14.10 (VM ids from the database) end to end.
 */
import { afterAll, describe, expect, it } from "vitest";
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "../../src/db/open.ts";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { databaseVmids, vmidsOf } from "../../src/provisioning/proxmox/vmid-pool.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { FIXTURE_MODULE, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const TERRAFORM = "/usr/local/bin/terraform";
const hasTerraform = existsSync(TERRAFORM);
if (!hasTerraform) console.warn(`\n!!! SKIPPING the workspace upgrade tests: ${TERRAFORM} is missing (install Terraform 1.11)\n`);

// Each test runs several real terraform inits and applies: on a busy two-core machine they take far longer than alone.
describe.skipIf(!hasTerraform)("proxmox driver: workspaces across module upgrades", { timeout: 120_000 }, () => {
  const tmp = tempDir("tfup");
  afterAll(() => tmp.remove());
  const driver = (dataDir: string, over: Partial<ConstructorParameters<typeof ProxmoxDriver>[0]> = {}) => new ProxmoxDriver({
    dataDir, proxmox: proxmoxConfig(), tokenSecret: tokenSecret(), moduleDir: FIXTURE_MODULE, terraformBin: TERRAFORM, env: TF_ENV, killAfterMs: 2_000, ...over,
  });
  const tfvarsOf = (dataDir: string, id: string) => JSON.parse(readFileSync(join(workspaceOf(dataDir, id), "terraform.tfvars.json"), "utf8"));

  it("destroys a cluster made with the old module after the module gained a required variable and a provider pin", async () => {
    const dataDir = join(tmp.dir, "upgrade");
    const moduleDir = join(tmp.dir, "module-v1");
    cpSync(FIXTURE_MODULE, moduleDir, { recursive: true });
    const old = clusterSpec({ name: "old-one", ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"] });
    const made = await driver(dataDir, { moduleDir }).apply(old, recordingContext());
    expect(made).toHaveLength(3);

    // The repository moves on: a provider pin (not installable here, as a new pin would first be
    // downloaded) and a variable without a default, which old workspaces have no value for.
    writeFileSync(join(moduleDir, "versions.tf"), [
      "terraform {",
      '  required_version = ">= 1.9.0, < 2.0.0"',
      "  required_providers {",
      '    null = { source = "hashicorp/null", version = "3.2.3" }',
      "  }",
      "}",
    ].join("\n") + "\n");
    appendFileSync(join(moduleDir, "variables.tf"), '\nvariable "cost_centre" {\n  type = string\n}\n');

    const upgraded = driver(dataDir, { moduleDir });
    const report = upgraded.reportWorkspaces();
    expect(report).toEqual({ older: [old.id], legacy: [], current: 0 });

    // Its own copy and lock state: init and destroy work as on the day it was made.
    const ctx = recordingContext();
    await upgraded.destroy(old, ctx);
    expect(ctx.progressed.at(-1)).toBe("resources 3/3 destroyed");
    expect(existsSync(workspaceOf(dataDir, old.id))).toBe(false);

    // Proof that the change bites: a new cluster gets the new module, whose provider cannot be installed offline.
    const fresh = clusterSpec({ name: "new-one" });
    await expect(upgraded.apply(fresh, recordingContext())).rejects.toThrow(/terraform init failed/);
    expect(readFileSync(join(workspaceOf(dataDir, fresh.id), "module/versions.tf"), "utf8")).toContain("hashicorp/null");
    expect(upgraded.reportWorkspaces()).toEqual({ older: [], legacy: [], current: 1 });
  });

  it("keeps a workspace's node list, template and datastore when the config changes before a resumed apply", async () => {
    const dataDir = join(tmp.dir, "frozen");
    const spec = clusterSpec({ ips: ["10.40.19.201", "10.40.19.202"] });
    const first = await driver(dataDir).apply(spec, recordingContext());

    const changed = driver(dataDir, { proxmox: proxmoxConfig({ nodes: ["pve3", "pve1"], template_vmid: 9100, datastore: "fast", linked_clones: false, bridge: "vmbr1" }) });
    const ctx = recordingContext();
    expect(await changed.apply(spec, ctx)).toEqual(first);
    expect(ctx.logs).toContain("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
    // Frozen: what decides where and from what a VM is cloned. Not frozen: the rest (bridge).
    expect(tfvarsOf(dataDir, spec.id)).toMatchObject({ proxmox_nodes: ["pve1", "pve2"], template_vmid: 9000, datastore: "local-lvm", linked_clones: true, bridge: "vmbr1" });
    await changed.destroy(spec, recordingContext());
  });

  it("keeps the VMs of a workspace made before module copies, VM ids and placement: legacy, by path, nothing replaced", async () => {
    const dataDir = join(tmp.dir, "legacy");
    const spec = clusterSpec();
    await driver(dataDir).apply(spec, recordingContext());
    const ws = workspaceOf(dataDir, spec.id);
    // What an earlier labforge left: no manifest, no copy, no placement or vm_ids inputs.
    rmSync(join(ws, "module"), { recursive: true });
    rmSync(join(ws, "labforge-workspace.json"));
    const { placement: _p, vm_ids: _v, ...oldVars } = tfvarsOf(dataDir, spec.id);
    writeFileSync(join(ws, "terraform.tfvars.json"), JSON.stringify(oldVars));

    // The upgraded bot has a vmid_range and places by free memory: neither may touch the existing VMs.
    const db = openDb(join(tmp.dir, "legacy.db"));
    try {
      const api = { nodes: () => { throw new Error("no API call for VMs that exist"); }, nodeOfVm: async () => undefined, readGuestFile: async () => undefined };
      const d = driver(dataDir, { vmids: databaseVmids(db, "41000-41099", { first: 41000, last: 41099 }), api, proxmox: proxmoxConfig({ placement: "free_memory" }) });
      expect(d.reportWorkspaces().legacy).toEqual([spec.id]);
      const ctx = recordingContext();
      await d.apply(spec, ctx);
      expect(ctx.logs).toContain("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
      expect(JSON.parse(readFileSync(join(ws, "main.tf.json"), "utf8")).module.cluster.source).toBe(FIXTURE_MODULE);
      expect(tfvarsOf(dataDir, spec.id)).toMatchObject({ placement: [], vm_ids: [] });
      expect(await vmidsOf(db.k, spec.id)).toEqual([]);
      await d.destroy(spec, recordingContext());
    } finally {
      await db.close();
    }
  });

  it("gives VMs ids from the configured range, keeps them on a resumed apply, refuses a full range, and frees them on destroy", async () => {
    const dataDir = join(tmp.dir, "vmids");
    const db = openDb(join(tmp.dir, "vmids.db"));
    try {
      const vmids = databaseVmids(db, "41000-41004", { first: 41000, last: 41004 });
      const d = driver(dataDir, { vmids });
      const a = clusterSpec({ name: "lab-a", ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"] });
      const b = clusterSpec({ name: "lab-b", ips: ["10.40.19.211", "10.40.19.212"] });
      const c = clusterSpec({ name: "lab-c", ips: ["10.40.19.221", "10.40.19.222"] });
      const [na, nb] = await Promise.all([d.apply(a, recordingContext()), d.apply(b, recordingContext())]);
      const ids = [...na!.map((n) => n.vmid), ...nb!.map((n) => n.vmid)];
      expect(new Set(ids).size).toBe(5);
      expect(ids.every((id) => id >= 41000 && id <= 41004)).toBe(true);
      expect(await vmidsOf(db.k, a.id)).toEqual(na!.map((n) => n.vmid));
      expect(tfvarsOf(dataDir, a.id).vm_ids).toEqual(na!.map((n) => n.vmid));
      expect(await d.apply(a, recordingContext())).toEqual(na);

      await expect(d.prepare(c, recordingContext())).rejects.toThrow("infra.proxmox.vmid_range 41000-41004 has 0 free VM id(s), 2 needed: widen the range or delete clusters");
      await d.destroy(b, recordingContext());
      expect(await vmidsOf(db.k, b.id)).toEqual([]);
      const nc = await d.apply(c, recordingContext());
      expect(nc.map((n) => n.vmid).sort()).toEqual(nb!.map((n) => n.vmid).sort());
      await d.destroy(a, recordingContext());
      await d.destroy(c, recordingContext());
      expect(await db.k.selectFrom("vmid_allocations").selectAll().execute()).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
