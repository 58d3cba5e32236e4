/** Day-2 end to end through the real bot process (npm start's console adapter): stop, start, scale up and down, rebuild. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runScript } from "./helpers/bot-process.ts";

describe("console adapter, scripted (examples/day2-demo.txt)", () => {
  it("stops, starts, scales up and down and rebuilds one cluster, and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-day2-"));
    const config = join(dataDir, "fast.yaml");
    const demo = (await import("../src/config/demo.ts")).DEMO_CONFIG;
    writeFileSync(config, JSON.stringify({ ...demo, infra: { driver: "simulated", simulated: { step_ms: 20 } } }));
    const script = readFileSync(join(ROOT, "examples", "day2-demo.txt"), "utf8");
    const { code, stdout, stderr } = await runScript(script, { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const after = (marker: string) => stdout.slice(stdout.indexOf(marker));
    // Stop, with the quota freed of vCPUs and memory while stopped.
    expect(stdout).toContain("Stopping lab3");
    expect(stdout).toMatch(/thread of message \d+\]\n• ✓ Stopped/);
    expect(after("✓ Stopped")).toMatch(/vcpus\s+0 of 120/);
    expect(after("✓ Stopped")).toMatch(/nodes\s+2 of 60/);
    // Start: ready once the nodes are.
    expect(stdout).toMatch(/✓ Waiting for nodes to be Ready[\s\S]*✓ Started/);
    // Scale up joins two workers on new addresses, scale down drains first.
    expect(stdout).toMatch(/✓ Joining workers[\s\S]*✓ Scaled to 3 workers/);
    expect(stdout).toMatch(/✓ Draining workers[\s\S]*✓ Removing VMs[\s\S]*✓ Scaled to 1 worker/);
    expect(stdout).toContain("workers=4 is out of range: cs401 allows owners 0 to 3 workers");
    // Rebuild: confirmation, then a second kubeconfig DM for the same address.
    expect(stdout).toContain("Rebuild lab3?");
    expect(stdout).toMatch(/✓ Destroying the old VMs[\s\S]*✓ Old VMs destroyed/);
    expect(stdout.match(/📎 cs401-lab3\.kubeconfig/g)).toHaveLength(2);
    const status = stdout.slice(stdout.lastIndexOf("✓ lab3 · cs401\n"));
    expect(status).toMatch(/State: Ready[\s\S]*IPs: cs401-lab3-cp 10\.40\.19\.201, cs401-lab3-w1 10\.40\.19\.202/);
    // help explains scale and its quota effect.
    expect(stdout).toContain("/cluster scale <name> [workers=N] [tenant=<id>]");
    expect(stdout).toContain("more workers need nodes, vCPU and memory quota");
  });
});
