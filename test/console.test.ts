import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runScript } from "./helpers/bot-process.ts";

describe("console adapter, scripted (the README's session)", () => {
  it("runs request → refusal → approval → progress → kubeconfig DM, with clear errors for bad input, and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-console-"));
    const config = join(dataDir, "fast.yaml");
    // The demo configuration with fast steps.
    const demo = (await import("../src/config/demo.ts")).DEMO_CONFIG;
    writeFileSync(config, JSON.stringify({ ...demo, infra: { driver: "simulated", simulated: { step_ms: 20 } } }));
    const script = readFileSync(join(ROOT, "examples", "console-demo.txt"), "utf8");
    const { code, stdout, stderr } = await runScript(script, { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // The approval request reached the staff by DM, with buttons.
    expect(stdout).toMatch(/\[DM to console:tim\]\n• Cluster request #1: lab3 · cs401[\s\S]*?\[\d+\] Approve/);
    // Carol, a student, is refused.
    expect(stdout).toContain("Only TAs and instructors of cs401 can approve cluster requests; you are a student");
    // Tim's press approved it and Bob heard by DM.
    expect(stdout).toContain("✓ Approved request #1");
    expect(stdout).toMatch(/\[DM to console:bob\]\n✓ lab3 was approved/);
    // Progress in the thread under the root message, then the kubeconfig by DM only.
    expect(stdout).toMatch(/\[#cs401 › thread of message \d+\]\n• ✓ Cloning VMs/);
    expect(stdout).toMatch(/\[DM to console:bob\]\n✓ Kubeconfig for lab3 \(cs401\)[\s\S]*?📎 cs401-lab3\.kubeconfig/);
    expect(stdout).toContain("server: https://10.40.19.201:6443");
    // Each bad input got its own clear error.
    expect(stdout).toContain('name "Lab3" is not valid: it must be a lowercase DNS label');
    expect(stdout).toContain('name "lab3;rm" is not valid');
    expect(stdout).toContain("workers=99 is out of range: cs401 allows 0 to 3 workers");
    expect(stdout).toContain('ttl must be a duration like 30m, 12h, 7d or 2w, not "forever"');
    expect(stdout).toContain('There is no tenant "nope"; yours: cs401');
    // The final status shows a ready cluster with its nodes.
    expect(stdout).toMatch(/✓ lab3 · cs401\n[\s\S]*State: Ready[\s\S]*IPs: cs401-lab3-cp 10\.40\.19\.201/);
  });

  it("stops with every configuration problem listed, before touching anything", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-console-"));
    const config = join(dataDir, "bad.yaml");
    writeFileSync(config, "tenants:\n  cs401:\n    name: CS401\n    channels: []\n    limits: { max_workers: -1 }\nnetwork: { pool: 10.0.0.5-10.0.0.9, prefix: 24, gateway: 10.0.0.6 }\n");
    const { code, stderr } = await runScript("", { LABFORGE_DATA_DIR: join(dataDir, "state"), LABFORGE_CONFIG: config });
    expect(code).toBe(2);
    expect(stderr).toContain("tenants.cs401.channels: expected at least one channel");
    expect(stderr).toContain("tenants.cs401.limits.max_workers: expected a number ≥ 0");
    expect(stderr).toContain("network.gateway: the gateway must lie outside the pool");
  });
});
