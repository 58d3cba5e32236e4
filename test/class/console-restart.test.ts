/**
 * A session booked for later, through the real bot process: the scripted console does not wait for the planned
 * start, the held jobs and the session's message survive a restart, and a delete before the start cancels them.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { runScript } from "../helpers/bot-process.ts";
import { DEMO_CONFIG } from "../../src/config/demo.ts";

function rows<T>(dbFile: string, sql: string): T[] {
  const db = new Database(dbFile, { readonly: true });
  try { return db.prepare(sql).all() as T[]; } finally { db.close(); }
}

describe("a class session held for a planned start, across a restart", () => {
  it("books, exits at once, keeps the held jobs and the one session message over a restart, and a delete cancels them", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-class-restart-"));
    try {
      const config = join(dataDir, "fast.yaml");
      writeFileSync(config, JSON.stringify({ ...DEMO_CONFIG, infra: { driver: "simulated", simulated: { step_ms: 20 } } }));
      const env = { LABFORGE_DATA_DIR: dataDir, LABFORGE_CONFIG: config };
      const dbFile = join(dataDir, "labforge.db");

      const started = Date.now();
      const first = await runScript("/as ada\n/cluster class create lab7 workers=0 at=+2h\n/wait\n/cluster queue\n", env);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(first.stdout).toMatch(/✓ Class session lab7: 2 clusters\n {2}Ready by the start: estimate/);
      expect(first.stdout).toMatch(/\[#cs401 · message \d+\]\n• Class session lab7 · cs401: 0 \/ 2 ready/);
      expect(first.stdout).toContain("Queue: 0 running, 0 waiting, 2 held until later");
      const session = rows<{ starts_at: number; provision_at: number; root_ref: string | null }>(dbFile, "select starts_at, provision_at, root_ref from class_sessions")[0]!;
      expect(session.root_ref).not.toBeNull();
      expect(session.starts_at - started).toBeGreaterThan(2 * 3_600_000 - 60_000);
      expect(session.provision_at).toBeLessThan(session.starts_at);
      expect(rows(dbFile, "select kind, state, run_at from jobs order by id")).toEqual([
        { kind: "provision", state: "queued", run_at: session.provision_at }, { kind: "provision", state: "queued", run_at: session.provision_at },
      ]);

      // After a restart: the same session, still held; its message is not posted again.
      const second = await runScript("/as ada\n/cluster class status lab7\n/cluster class delete lab7\n/press Delete all\n/wait\n", env);
      expect(second.stderr).toBe("");
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Class session lab7 · cs401: 0 \/ 2 ready\n {2}Clusters: 2 queued\n {2}Lab starts: .* UTC\n {2}Provisioning starts: /);
      expect(second.stdout).toMatch(/lab7-01 {2}Queued {8}Bob Student \(console:bob\)/);
      expect(second.stdout).not.toMatch(/\[#cs401 · message \d+\]\n• Class session lab7/);
      expect(second.stdout).toContain("2 clusters are being destroyed");
      expect(rows(dbFile, "select kind, state from jobs order by id")).toEqual([
        { kind: "provision", state: "cancelled" }, { kind: "provision", state: "cancelled" },
        { kind: "destroy", state: "succeeded" }, { kind: "destroy", state: "succeeded" },
      ]);
      expect(rows(dbFile, "select count(*) as n from ip_allocations")).toEqual([{ n: 0 }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
