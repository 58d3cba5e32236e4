/**
 * SIGKILL through the real bot process in the middle of day-2 jobs, then a start on the same data dir: the job
 * resumes after its last finished step and the cluster ends where the operation meant it to.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { runScript, startBot } from "../helpers/bot-process.ts";
import { peek, until } from "../helpers/live-db.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";



/**
 * Makes lab3 (dsg-lab, no approval), runs `command` once it is ready, SIGKILLs the bot once the job's `column`
 * (`last_step`: finished; `current_step`: running) is `step`, and starts it again.
 */
async function killDuring(command: string, kind: string, column: "last_step" | "current_step", step: string) {
  const dataDir = mkdtempSync(join(tmpdir(), "labforge-kill2-"));
  const config = join(dataDir, "labforge.yaml");
  writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 250 } } }));
  const env = { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config };
  const dbFile = join(dataDir, "labforge.db");
  const first = startBot(env);
  first.child.stdin.write("/as grace\n/in #dsg-lab\n/cluster create lab3 workers=1\n");
  await until(() => peek<{ n: number }>(dbFile, "select count(*) as n from jobs where kind = 'deliver' and state = 'succeeded'")?.n === 1, 25_000);
  first.child.stdin.write(`${command}\n`);
  await until(() => peek<{ s: string | null }>(dbFile, `select ${column} as s from jobs where kind = '${kind}'`)?.s === step, 25_000);
  first.child.kill("SIGKILL");
  await first.exited;
  const second = await runScript("", env);
  expect(second.code, second.stderr).toBe(0);
  const db = new Database(dbFile, { readonly: true });
  try {
    return {
      cluster: db.prepare("select state, workers from clusters").get() as { state: string; workers: number },
      job: db.prepare(`select state, attempts, log_tail from jobs where kind = '${kind}'`).get() as { state: string; attempts: number; log_tail: string },
      ips: (db.prepare("select count(*) as n from ip_allocations").get() as { n: number }).n,
      second: second.stdout,
    };
  } finally { db.close(); }
}

describe("SIGKILL through the real process during day-2 jobs", () => {
  it("after a scale-up's apply: the restart joins the new workers and the cluster is ready with 3", async () => {
    const o = await killDuring("/cluster scale lab3 workers=3", "scale", "last_step", "apply");
    expect(o.cluster).toEqual({ state: "ready", workers: 3 });
    expect([o.job.state, o.job.attempts]).toEqual(["succeeded", 2]);
    expect(o.job.log_tail).toContain("resuming after apply");
    expect(o.ips).toBe(4);
    expect(o.second).toContain("✓ Scaled to 3 workers");
  }, 60_000);

  it("during a stop's power-off: the restart powers off again (idempotent) and records the stop, once", async () => {
    const o = await killDuring("/cluster stop lab3", "stop", "current_step", "power_off");
    expect(o.cluster).toEqual({ state: "stopped", workers: 1 });
    expect([o.job.state, o.job.attempts]).toEqual(["succeeded", 2]);
    expect(o.ips).toBe(2);
    expect(o.second.match(/✓ Stopped/g)).toHaveLength(1);
  }, 60_000);
});
