/** State file modes (issue 13.2): the data dir 0700 and the database (with -wal and -shm) 0600, a warning naming each looser path. */
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../src/db/open.ts";
import { looseStateModes } from "../src/secrets/state-modes.ts";
import { DEMO_CONFIG } from "../src/config/demo.ts";
import { runScript, startBot } from "./helpers/bot-process.ts";

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("openDb", () => {
  it("creates the database 0600 and SQLite's -wal and -shm with it, under a umask that would allow 0644", () => {
    const dir = mkdtempSync(join(tmpdir(), "labforge-modes-"));
    const old = process.umask(0o022);
    try {
      const db = openDb(join(dir, "labforge.db"));
      db.sqlite.exec("create table t (x); insert into t values (1)");
      for (const f of ["labforge.db", "labforge.db-wal", "labforge.db-shm"]) expect([f, modeOf(join(dir, f))]).toEqual([f, 0o600]);
      db.sqlite.close();
    } finally {
      process.umask(old);
    }
  });

  it("lists the data dir and each state entry that group or others can reach, and nothing when all is private", () => {
    const dir = mkdtempSync(join(tmpdir(), "labforge-modes-"));
    writeFileSync(join(dir, "secret.key"), "x", { mode: 0o600 });
    mkdirSync(join(dir, "workspaces"), { mode: 0o700 });
    // Not labforge's: an operator's file beside the state is theirs to decide.
    writeFileSync(join(dir, "labforge.yaml"), "x", { mode: 0o644 });
    expect(looseStateModes(dir)).toEqual([]);
    chmodSync(dir, 0o750);
    writeFileSync(join(dir, "labforge.db"), "", { mode: 0o644 });
    chmodSync(join(dir, "labforge.db"), 0o644);
    expect(looseStateModes(dir)).toEqual([
      { path: dir, mode: 0o750, want: 0o700 },
      { path: join(dir, "labforge.db"), mode: 0o644, want: 0o600 },
    ]);
  });
});

describe("the bot process on a fresh data dir", () => {
  it("makes the data dir 0700 and every state file 0600, and warns at the next start when they were loosened", async () => {
    const root = mkdtempSync(join(tmpdir(), "labforge-fresh-"));
    const dataDir = join(root, "data"); // does not exist yet: the bot makes it
    const config = join(root, "fast.yaml");
    const tenants = { ...DEMO_CONFIG.tenants, "dsg-lab": { ...DEMO_CONFIG.tenants["dsg-lab"], namespace_policy: "baseline" } };
    writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, tenants, infra: { driver: "simulated", simulated: { step_ms: 10 } } }));
    const env = { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config };

    const bot = startBot(env);
    bot.child.stdin.write("/as grace\n/in #dsg-lab\n/cluster create lab1\n/wait\n/cluster ns create lab1 team-a\n");
    await until(() => bot.stdout().includes("Namespace team-a created on lab1"), "ns create");
    // While it runs, SQLite's side files exist too.
    const db = join(dataDir, "labforge.db");
    expect(existsSync(`${db}-wal`) && existsSync(`${db}-shm`)).toBe(true);
    for (const f of [db, `${db}-wal`, `${db}-shm`, join(dataDir, "secret.key")]) expect([f, modeOf(f)]).toEqual([f, 0o600]);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, "workspaces"))).toBe(0o700);
    // The namespace got the tenant's Pod Security level (dsg-lab: baseline) and the default quota.
    expect(bot.stdout()).toContain("Pod Security: baseline (enforced). Quota: 2 CPU and 4Gi memory requested, 20 pods.");
    bot.child.stdin.end();
    expect(await bot.exited).toBe(0);
    expect(bot.stderr()).toBe("");

    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    const again = await runScript("/cluster help\n", env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`${dataDir} is mode 0755: other local users can read labforge's state; chmod 0700 ${dataDir}`);
    expect(again.stderr).toContain(`${db} is mode 0644: other local users can read labforge's state; chmod 0600 ${db}`);
    expect(again.stderr).not.toContain("secret.key");
  });
});
