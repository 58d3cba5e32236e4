/** The proxmox driver's day-2 Terraform side on the offline fixture: `started` flips in place, a new worker count adds or removes nodes. */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { FIXTURE_MODULE, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const TERRAFORM = "/usr/local/bin/terraform";
const hasTerraform = existsSync(TERRAFORM);
if (!hasTerraform) console.warn(`\n!!! SKIPPING the day-2 terraform tests: ${TERRAFORM} is missing (install Terraform 1.11)\n`);

describe.skipIf(!hasTerraform)("proxmox driver: day-2 terraform", () => {
  const tmp = tempDir("tf-day2");
  afterAll(() => tmp.remove());

  it("powers off and on through `started` without replacing a node, then scales the worker count up and down", async () => {
    const dataDir = join(tmp.dir, "d");
    const d = new ProxmoxDriver({ dataDir, proxmox: proxmoxConfig(), tokenSecret: tokenSecret(), moduleDir: FIXTURE_MODULE, terraformBin: TERRAFORM, env: TF_ENV });
    const ips = ["10.40.19.201", "10.40.19.202", "10.40.19.210", "10.40.19.230"];
    const spec = clusterSpec({ ips: ips.slice(0, 2) });
    const ws = workspaceOf(dataDir, spec.id);
    const state = () => JSON.parse(readFileSync(join(ws, "terraform.tfstate"), "utf8")) as { resources: { instances: { index_key: string; attributes: { id: string; input: { value: { started: boolean } } } }[] }[] };
    const instances = () => state().resources.flatMap((r) => r.instances).map((i) => ({ name: i.index_key, id: i.attributes.id, started: i.attributes.input.value.started }));

    await d.prepare(spec, recordingContext());
    const nodes = await d.apply(spec, recordingContext());
    expect(nodes.map((n) => n.name)).toEqual(["cs401-lab3-cp", "cs401-lab3-w1"]);
    const before = instances();
    expect(before.map((i) => i.started)).toEqual([true, true]);

    const off = recordingContext();
    await d.power(spec, nodes, false, off);
    expect(off.logs).toContain("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");
    expect(JSON.parse(readFileSync(join(ws, "power.auto.tfvars.json"), "utf8"))).toEqual({ started: false });
    // Changed in place: the same resources (ids), powered off.
    expect(instances()).toEqual(before.map((i) => ({ ...i, started: false })));

    const on = recordingContext();
    await d.power(spec, nodes, true, on);
    expect(on.logs).toContain("Apply complete! Resources: 0 added, 2 changed, 0 destroyed.");
    expect(instances()).toEqual(before);

    // Scale up to 3 workers on addresses that are not contiguous: the existing nodes stay, two are added.
    const up = recordingContext();
    const grown = await d.apply({ ...spec, workers: 3, ips }, up);
    expect(grown.map((n) => `${n.name} ${n.ip}`)).toEqual(["cs401-lab3-cp 10.40.19.201", "cs401-lab3-w1 10.40.19.202", "cs401-lab3-w2 10.40.19.210", "cs401-lab3-w3 10.40.19.230"]);
    expect(up.logs).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect(instances().filter((i) => before.some((b) => b.id === i.id))).toHaveLength(2);

    // Scale down to none: the workers go, the control plane stays.
    const down = recordingContext();
    const shrunk = await d.apply({ ...spec, workers: 0, ips: ips.slice(0, 1) }, down);
    expect(shrunk.map((n) => n.name)).toEqual(["cs401-lab3-cp"]);
    expect(down.logs).toContain("Apply complete! Resources: 0 added, 0 changed, 3 destroyed.");
    expect(instances().map((i) => i.id)).toEqual([before[0]!.id]);
    await d.destroy({ ...spec, workers: 0, ips: ips.slice(0, 1) }, recordingContext());
    expect(existsSync(ws)).toBe(false);
  }, 120_000);
});
