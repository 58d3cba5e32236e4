/** A class of 30 through the real bot process (`npm start`, console adapter, demo configuration with fast steps): examples/class-demo.txt. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runScript } from "../helpers/bot-process.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";

const two = (n: number) => String(n).padStart(2, "0");

describe("class session through the console", () => {
  it("refuses a class the IP pool cannot hold, then provisions 30, DMs each student, extends, adds one, deletes all", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-class-"));
    try {
      const config = join(dataDir, "fast.yaml");
      writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 20 } } }));
      const script = readFileSync(join(ROOT, "examples", "class-demo.txt"), "utf8");
      const { code, stdout, stderr } = await runScript(script, { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config });
      expect(stderr).toBe("");
      expect(code).toBe(0);

      // One worker each: 25 of 30 fit the pool of 50 addresses; nothing was queued.
      expect(stdout).toContain("25 of these 30 clusters fit in the department's IP pool: each needs 2 consecutive free addresses");
      expect(stdout).toMatch(/✓ Class session os1: 30 clusters\n[^\n]*Starting now: estimate/);
      expect(stdout).toContain("Clusters: 30 (os1-01 … os1-30), control plane only, small, 3d each");

      // One root message in #dsg-lab, updated in place up to 30 / 30; no cluster of the session posts its own.
      const root = /\[#dsg-lab · message (\d+)\]\n• Class session os1 · dsg-lab: 0 \/ 30 ready/.exec(stdout);
      expect(root).not.toBeNull();
      expect(stdout).toContain(`[#dsg-lab · message ${root![1]} updated] Class session os1 · dsg-lab: 30 / 30 ready`);
      expect(stdout).not.toMatch(/\]\n• os1-\d+ · dsg-lab/);

      // Each student got their own kubeconfig by DM: Grace (first in the file) os1-01, then the grants in order.
      const students = ["console:grace", ...Array.from({ length: 29 }, (_, i) => `console:s${two(i + 2)}`)];
      students.forEach((s, i) => expect(stdout).toMatch(new RegExp(`\\[DM to ${s}\\]\\n✓ Kubeconfig for os1-${two(i + 1)} \\(dsg-lab\\)[\\s\\S]*?📎 dsg-lab-os1-${two(i + 1)}\\.kubeconfig`)));

      // class status: every student's line.
      const status = stdout.slice(stdout.indexOf("✓ Class session os1 · dsg-lab: 30 / 30 ready\n"));
      expect(status).toMatch(/os1-01 {2}Ready {9}Grace Researcher \(console:grace\)/);
      expect(status).toMatch(/os1-30 {2}Ready {9}console:s30/);
      expect(stdout).toContain("30 ready clusters extended by 1d; their owners were told by direct message.");
      expect(stdout).toContain("✓ os1-31 added to os1");
      expect(stdout).toMatch(/\[DM to console:s31\]\n✓ Kubeconfig for os1-31 \(dsg-lab\)/);

      // One confirmation, then all 31 are destroyed and the list is empty.
      expect(stdout).toContain("destroys all 31 of its clusters (os1-01 …)");
      expect(stdout).toContain("31 clusters are being destroyed");
      expect(stdout).toContain("Class session os1 · dsg-lab: deleted — All its clusters are gone.");
      expect(stdout).toMatch(/• Clusters in dsg-lab\n {2}None\.\s*$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
