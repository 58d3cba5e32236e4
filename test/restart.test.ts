import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startBot, runScript } from "./helpers/bot-process.ts";
import { DEMO_CONFIG } from "../src/config/demo.ts";

async function until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("restart", () => {
  it("SIGKILL mid-provision, start again: the cluster reaches ready with one job, one IP block and one kubeconfig DM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-restart-"));
    const config = join(dataDir, "labforge.json.yaml");
    writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 600 } } }));
    const env = { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config };

    const first = startBot(env);
    first.child.stdin.write("/as grace\n/in #dsg-lab\n/cluster create lab3 workers=1\n");
    const dbFile = join(dataDir, "labforge.db");
    // Kill it right after the VMs were "cloned", while it waits for SSH.
    await until(() => {
      try {
        const db = new Database(dbFile, { readonly: true, fileMustExist: true });
        try {
          const job = db.prepare("select last_step from jobs").get() as { last_step: string | null } | undefined;
          return job?.last_step === "apply" ? true : undefined;
        } finally { db.close(); }
      } catch { return undefined; }
    }, 20_000);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.stdout()).not.toContain("📎");

    const second = await runScript("", env);
    expect(second.code).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    let provisionLog = "";
    try {
      const clusters = db.prepare("select id, state from clusters").all() as { id: string; state: string }[];
      expect(clusters).toHaveLength(1);
      expect(clusters[0]!.state).toBe("ready");
      const jobs = db.prepare("select kind, state, attempts from jobs").all();
      expect(jobs).toEqual([{ kind: "provision", state: "succeeded", attempts: 2 }, { kind: "deliver", state: "succeeded", attempts: 1 }]);
      provisionLog = (db.prepare("select log_tail from jobs where kind = 'provision'").get() as { log_tail: string }).log_tail;
      const ips = db.prepare("select ip from ip_allocations order by position").all();
      expect(ips).toEqual([{ ip: "10.40.19.201" }, { ip: "10.40.19.202" }]);
    } finally { db.close(); }
    const dms = (first.stdout() + second.stdout).match(/📎 dsg-lab-lab3\.kubeconfig/g) ?? [];
    expect(dms).toHaveLength(1);
    // The resumed run did not redo the finished steps.
    expect(provisionLog).toContain("resuming after apply");
    expect(second.stdout).toContain("✓ Waiting for SSH");
    // "Cloning VMs" reached the thread: from the first run, or from its saved copy when the kill caught it queued
    // (twice when the kill came between showing it and forgetting the copy).
    expect(((first.stdout() + second.stdout).match(/✓ Cloning VMs/g) ?? []).length).toBeGreaterThanOrEqual(1);
  });
});
