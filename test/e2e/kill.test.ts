/**
 * SIGKILL through the real bot process (the console adapter, `npm start`'s entry point) at each step boundary of a
 * provision, after a failure before its clean-up, and right after the kubeconfig DM; then start it again on the same
 * data dir. Goal: nothing lost, nothing repeated but a DM labelled as sent again after a restart.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { runScript, startBot } from "../helpers/bot-process.ts";
import { peek, until } from "../helpers/live-db.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";

const FILE = /📎 dsg-lab-lab3\.kubeconfig/g;

interface Outcome {
  clusters: { state: string }[];
  jobs: { kind: string; state: string }[];
  ips: number;
  dms: number;
  labelled: number;
  second: string;
}



/** Creates lab3 in dsg-lab, SIGKILLs the bot when `moment` says so, starts it again with no input and reads the outcome. */
async function killAndRestart(moment: (dbFile: string, stdout: string) => boolean, simulated: Record<string, unknown> = {}): Promise<Outcome> {
  const dataDir = mkdtempSync(join(tmpdir(), "labforge-kill-"));
  const config = join(dataDir, "labforge.yaml");
  writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 250, ...simulated } } }));
  const env = { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config };
  const dbFile = join(dataDir, "labforge.db");
  const first = startBot(env);
  first.child.stdin.write("/as grace\n/in #dsg-lab\n/cluster create lab3 workers=1\n");
  await until(() => moment(dbFile, first.stdout()), 25_000);
  first.child.kill("SIGKILL");
  await first.exited;
  const second = await runScript("", env);
  expect(second.code, second.stderr).toBe(0);
  const db = new Database(dbFile, { readonly: true });
  try {
    const out = first.stdout() + second.stdout;
    return {
      clusters: db.prepare("select state from clusters").all() as { state: string }[],
      jobs: db.prepare("select kind, state from jobs order by id").all() as { kind: string; state: string }[],
      ips: (db.prepare("select count(*) as n from ip_allocations").get() as { n: number }).n,
      dms: (out.match(FILE) ?? []).length,
      labelled: (out.match(/Sent again after a restart/g) ?? []).length,
      second: second.stdout,
    };
  } finally { db.close(); }
}

/** With LABFORGE_REPORT set, prints what a kill left, for the figures in a closing note. */
function report(what: string, o: Outcome): void {
  if (process.env.LABFORGE_REPORT) console.log(`kill ${what}: ${JSON.stringify({ clusters: o.clusters, jobs: o.jobs, ips: o.ips, dms: o.dms, labelled: o.labelled })}`);
}

const provisionStep = (step: string) => (dbFile: string) =>
  peek<{ last_step: string | null }>(dbFile, "select last_step from jobs where kind = 'provision'")?.last_step === step;

describe("SIGKILL through the real process", () => {
  for (const step of ["prepare", "apply", "wait_ssh", "configure", "kubeconfig"]) {
    it(`right after the provision step ${step}: the cluster becomes ready once, with one kubeconfig DM`, async () => {
      const o = await killAndRestart(provisionStep(step));
      report(step, o);
      expect(o.clusters).toEqual([{ state: "ready" }]);
      expect(o.jobs, o.second).toEqual([{ kind: "provision", state: "succeeded" }, { kind: "deliver", state: "succeeded" }]);
      expect(o.ips).toBe(2);
      // Delivered; at most one unlabelled copy, and at most one more, labelled as sent again after a restart
      // (the kill can land between "sending" and the DM itself).
      expect(o.dms).toBeGreaterThanOrEqual(1);
      expect(o.dms - o.labelled).toBeLessThanOrEqual(1);
      expect(o.labelled).toBeLessThanOrEqual(1);
    }, 60_000);
  }

  it("after a failure, before its clean-up: the clean-up resumes and frees the IPs", async () => {
    const o = await killAndRestart((dbFile) => peek<{ state: string }>(dbFile, "select state from clusters")?.state === "failed", { fail: { lab3: "configure" } });
    report("after the failure", o);
    expect(o.clusters).toEqual([{ state: "failed" }]);
    expect(o.jobs, o.second).toEqual([{ kind: "provision", state: "failed" }, { kind: "cleanup", state: "succeeded" }]);
    expect(o.ips).toBe(0);
    expect(o.second).toContain("✓ Cleaned up");
    expect(o.dms).toBe(0);
  }, 60_000);

  it("right after the kubeconfig DM: it is not sent again unlabelled", async () => {
    const o = await killAndRestart((_db, stdout) => FILE.test(stdout));
    report("after the DM", o);
    expect(o.clusters).toEqual([{ state: "ready" }]);
    expect(o.jobs, o.second).toEqual([{ kind: "provision", state: "succeeded" }, { kind: "deliver", state: "succeeded" }]);
    expect(o.dms).toBeGreaterThanOrEqual(1);
    expect(o.dms - o.labelled).toBeLessThanOrEqual(1);
    expect(o.labelled).toBeLessThanOrEqual(1);
  }, 60_000);
});
