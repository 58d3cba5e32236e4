/** Upgrades: a database written by a newer labforge stops the start with a clear message and is left untouched. */
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { runScript } from "../helpers/bot-process.ts";
import { MIGRATIONS, migrate } from "../../src/db/migrations.ts";

const root = mkdtempSync(join(tmpdir(), "labforge-upgrade-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("upgrades", () => {
  it("refuses at start a database from a newer labforge, saying which versions, without changing it", async () => {
    const dataDir = join(root, "newer");
    mkdirSync(dataDir, { mode: 0o700 });
    const file = join(dataDir, "labforge.db");
    const db = new BetterSqlite3(file);
    migrate(db);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    chmodSync(file, 0o600); // as labforge makes it: a looser mode would add a warning to stderr
    const before = readFileSync(file);

    const { code, stdout, stderr } = await runScript("/as bob\n/cluster list\n", { LABFORGE_DATA_DIR: dataDir });
    expect(code).toBe(2);
    expect(stderr).toBe(`labforge cannot start: database schema version ${MIGRATIONS.length + 1} is newer than this labforge (${MIGRATIONS.length}); upgrade labforge\n`);
    expect(stdout).not.toContain("[#cs401");
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(statSync(file).size).toBe(before.length);
  });

  it("brings an older database up to date at start (each pending migration once), keeping its rows", async () => {
    const dataDir = join(root, "older");
    mkdirSync(dataDir, { mode: 0o700 });
    const file = join(dataDir, "labforge.db");
    const db = new BetterSqlite3(file);
    // A labforge from before the last migration, with one audited grant.
    db.transaction(() => { db.exec(MIGRATIONS[0]!); db.pragma("user_version = 1"); })();
    db.prepare("INSERT INTO grants (identity, tenant, role, granted_by, created_at) VALUES ('console:zed', 'cs401', 'student', 'console:ada', 1)").run();
    db.close();
    chmodSync(file, 0o600);

    const { code, stdout, stderr } = await runScript("/as zed\n/cluster list\n", { LABFORGE_DATA_DIR: dataDir });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).not.toContain("not in any tenant"); // the grant survived the upgrade
    const after = new BetterSqlite3(file, { readonly: true });
    try {
      expect(after.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
      expect(after.prepare("SELECT identity FROM grants").all()).toEqual([{ identity: "console:zed" }]);
    } finally {
      after.close();
    }
  });
});
