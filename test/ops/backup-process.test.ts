/**
 * What an operator runs, end to end: the real bot (console, scripted stdin) makes clusters; `npm run backup`
 * copies its data dir while it runs and a cluster is half-made; `npm run restore` fills a fresh data dir; a
 * second bot starts from it, finishes the half-made cluster and sends the same kubeconfigs by DM.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import BetterSqlite3 from "better-sqlite3";
import { ROOT, runScript, startBot } from "../helpers/bot-process.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";
import { openCopy } from "../../src/ops/db-snapshot.ts";
import { KubeconfigStore } from "../../src/secrets/kubeconfig-store.ts";
import { loadSecretKey } from "../../src/secrets/secret-key.ts";

const root = mkdtempSync(join(tmpdir(), "labforge-ops-e2e-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `npm run <script> -- <args>` from the repository, as an operator would. */
function npmRun(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout += String(d); });
    child.stderr.on("data", (d) => { stderr += String(d); });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function until(probe: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The kubeconfig text of each `📎 <file>` DM to `who` in console output, by file name. */
function kubeconfigDms(stdout: string, who: string): Map<string, string> {
  const found = new Map<string, string>();
  const re = new RegExp(`\\[DM to console:${who}\\]\\n[^\\n]*\\n(?:[^\\n]*\\n)*?  📎 (\\S+\\.kubeconfig) \\(\\d+ bytes\\)\\n((?:  │ [^\\n]*\\n?)+)`, "g");
  for (const m of stdout.matchAll(re)) found.set(m[1]!, m[2]!.split("\n").map((l) => l.replace(/^  │ /, "")).join("\n").trim());
  return found;
}

function rows(file: string, sql: string): unknown[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try { return db.prepare(sql).all(); } finally { db.close(); }
}

describe("operations through the real process: backup while running, restore, start from it", () => {
  it("keeps every cluster, request, grant and audit row, resumes the half-made cluster and DMs the same kubeconfigs", async () => {
    const dataA = join(root, "a");
    const dataB = join(root, "b");
    const archive = join(root, "labforge-backup.tar.gz");
    const config = join(root, "labforge.json");
    // Slow steps, so the fourth cluster is half-made when the backup runs.
    writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 1500 } } }));
    const port = await freePort();

    const first = startBot({ LABFORGE_DATA_DIR: dataA, LABFORGE_CONFIG: config, PORT: String(port) });
    try {
      first.child.stdin.write([
        "/as bob", "/cluster create lab3 workers=1",
        "/as tim", "/press Approve",
        "/as grace", "/in #dsg-lab", "/cluster create gx1 tenant=dsg-lab", "/cluster create gx2 workers=2 tenant=dsg-lab",
        "/as ada", "/in #cs401", "/cluster grant console:zed student tenant=cs401",
      ].join("\n") + "\n");
      await until(() => kubeconfigDms(first.stdout(), "bob").size === 1 && kubeconfigDms(first.stdout(), "grace").size === 2, "three kubeconfig DMs");
      expect(first.stdout()).toContain("console:zed");

      // /metrics of the running bot: the state gauges read its database.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^labforge_ip_pool_size 50$/m);
      expect(metrics).toMatch(/^labforge_ip_pool_free 43$/m); // lab3 2, gx1 2, gx2 3 addresses in use
      expect(metrics).toMatch(/^labforge_jobs_finished\{kind="provision",state="succeeded"\} 3$/m);

      // A fourth cluster starts; the backup runs while it is being made.
      first.child.stdin.write("/as grace\n/in #dsg-lab\n/cluster create gx3 tenant=dsg-lab\n");
      const gx3Step = () => rows(join(dataA, "labforge.db"), "SELECT j.last_step FROM jobs j JOIN clusters c ON c.id = j.cluster_id WHERE c.name = 'gx3'") as { last_step: string | null }[];
      await until(() => existsSync(join(dataA, "labforge.db")) && gx3Step()[0]?.last_step != null, "gx3's first step");
      const backup = await npmRun("backup", [archive], { LABFORGE_DATA_DIR: dataA });
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      expect(backup.stdout).toContain(`wrote ${archive}`);
      expect(backup.stdout).toMatch(/4 clusters, 1 requests, 7 jobs, 1 grants, \d+ audit rows, 3 kubeconfigs \(all decrypt\)/);
      expect(statSync(archive).mode & 0o777).toBe(0o600);
      // The bot did not notice: gx3 becomes ready in the original too.
      await until(() => kubeconfigDms(first.stdout(), "grace").size === 3, "gx3's kubeconfig from the first bot");
    } finally {
      first.child.stdin.end();
      expect(await first.exited).toBe(0);
    }
    expect(first.stderr()).toBe("");
    const sentByFirst = new Map([...kubeconfigDms(first.stdout(), "bob"), ...kubeconfigDms(first.stdout(), "grace")]);

    // Restore into a fresh data dir; a second restore into it is refused.
    const restore = await npmRun("restore", [archive], { LABFORGE_DATA_DIR: dataB });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain("3 of 3 kubeconfigs decrypt with the archived secret.key");
    expect(statSync(dataB).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataB, "labforge.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataB, "secret.key")).mode & 0o777).toBe(0o600);
    const again = await npmRun("restore", [archive], { LABFORGE_DATA_DIR: dataB });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`restore failed: the data dir ${dataB} is not empty`);

    // The snapshot: consistent, taken with gx3 half-made, and every other row as the first bot wrote it.
    const dbA = join(dataA, "labforge.db");
    const dbB = join(dataB, "labforge.db");
    const gx3 = rows(dbB, "SELECT c.state, j.state AS job FROM clusters c JOIN jobs j ON j.cluster_id = c.id WHERE c.name = 'gx3'") as { state: string; job: string }[];
    expect(gx3).toEqual([{ state: "provisioning", job: "running" }]);
    const stable = "SELECT id, tenant, name, owner, state, nodes, expires_at FROM clusters WHERE name <> 'gx3' ORDER BY id";
    expect(rows(dbB, stable)).toEqual(rows(dbA, stable));
    for (const sql of ["SELECT * FROM requests ORDER BY id", "SELECT * FROM grants ORDER BY id"]) expect(rows(dbB, sql)).toEqual(rows(dbA, sql));
    const auditB = rows(dbB, "SELECT * FROM audit ORDER BY id") as { id: number }[];
    expect(auditB.length).toBeGreaterThan(5);
    expect(auditB).toEqual(rows(dbA, `SELECT * FROM audit WHERE id <= ${auditB.at(-1)!.id} ORDER BY id`));
    // The restored key opens the restored kubeconfigs, and they are the ones the first bot sent.
    const db = openCopy(dbB);
    try {
      const store = new KubeconfigStore(db, loadSecretKey(dataB));
      for (const [name, tenant] of [["lab3", "cs401"], ["gx1", "dsg-lab"], ["gx2", "dsg-lab"]] as const) {
        const { id } = (rows(dbB, `SELECT id FROM clusters WHERE name = '${name}'`) as { id: string }[])[0]!;
        expect((await store.load(id))!.trim()).toBe(sentByFirst.get(`${tenant}-${name}.kubeconfig`));
      }
    } finally {
      await db.close();
    }

    // A second bot on the restored dir: kubeconfigs again by DM, the half-made cluster finished.
    const second = await runScript([
      "/as bob", "/cluster kubeconfig lab3",
      "/as grace", "/in #dsg-lab", "/cluster kubeconfig gx1", "/wait", "/cluster list",
      "/as ada", "/in #cs401", "/cluster audit tenant=cs401",
    ].join("\n") + "\n", { LABFORGE_DATA_DIR: dataB, LABFORGE_CONFIG: config });
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const bob = kubeconfigDms(second.stdout, "bob");
    const grace = kubeconfigDms(second.stdout, "grace");
    expect(bob.get("cs401-lab3.kubeconfig")).toBe(sentByFirst.get("cs401-lab3.kubeconfig"));
    expect(grace.get("dsg-lab-gx1.kubeconfig")).toBe(sentByFirst.get("dsg-lab-gx1.kubeconfig"));
    // gx3 resumed from its last finished step and was delivered from the restored dir.
    expect(grace.get("dsg-lab-gx3.kubeconfig")).toMatch(/server: https:\/\/10\.40\.19\.\d+:6443/);
    expect(rows(dbB, "SELECT state FROM clusters WHERE name = 'gx3'")).toEqual([{ state: "ready" }]);
    expect(second.stdout).toMatch(/gx1[\s\S]*gx2[\s\S]*gx3/);
    expect(second.stdout).toContain("console:zed");
    expect(readFileSync(join(dataB, "secret.key"), "utf8")).toBe(readFileSync(join(dataA, "secret.key"), "utf8"));
  }, 120_000);

  it("answers bad command lines and settings with a clear message and a non-zero exit", async () => {
    const none = await npmRun("backup", [], { LABFORGE_DATA_DIR: root });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("backup: expected one archive path\nusage: npm run backup -- <archive.tar.gz>   (LABFORGE_DATA_DIR names the data dir; default ./data)\n");
    const two = await npmRun("restore", ["a.tar.gz", "b.tar.gz"], { LABFORGE_DATA_DIR: root });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain("usage: npm run restore -- <archive.tar.gz>");
    const badKey = await npmRun("backup", [join(root, "k.tar.gz")], { LABFORGE_DATA_DIR: root, LABFORGE_SECRET_KEY: "abc" });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain("backup failed: the environment is invalid:\n  - LABFORGE_SECRET_KEY: expected 64 hex characters");
    const noDb = await npmRun("backup", [join(root, "n.tar.gz")], { LABFORGE_DATA_DIR: join(root, "nothing-here") });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toBe(`backup failed: there is no labforge.db in ${join(root, "nothing-here")}: set LABFORGE_DATA_DIR to the data dir of the labforge to back up\n`);
  }, 60_000);
});
