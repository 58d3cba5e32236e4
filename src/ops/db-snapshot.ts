/** The database side of backup and restore: an online copy through SQLite's backup API, and checks of a copy. */
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "../db/schema.ts";
import type { Db } from "../db/open.ts";

/** Tables whose row counts a manifest records and a restore reports. */
export const COUNTED_TABLES = ["clusters", "requests", "jobs", "ip_allocations", "kubeconfigs", "grants", "audit"] as const;

/**
 * Copies the live database at `source` into `dest` while labforge may be writing
 * to it. The source is opened read-write on purpose: a read-only connection to a
 * WAL database leaves `-wal`/`-shm` files behind, owned by whoever ran the backup.
 */
export async function copyDatabase(source: string, dest: string): Promise<void> {
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    // All pages in one step: one read transaction, so one consistent snapshot,
    // and no restart of the copy when the bot writes meanwhile (WAL lets it).
    await db.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  // The copy is a plain rollback-journal file: a single file to archive, and one
  // that opens read-only without side files. labforge turns WAL back on at start.
  const copy = new BetterSqlite3(dest, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

/** Opens a copy for checks only: no migrations, no writes. */
export function openCopy(file: string): Db {
  const sqlite = new BetterSqlite3(file, { fileMustExist: true, readonly: true });
  const k = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { k, sqlite, close: () => k.destroy() };
}

/** Throws unless SQLite finds the copy intact; returns its schema version and row counts. */
export function inspectCopy(db: Db): { schemaVersion: number; counts: Record<string, number> } {
  const check = db.sqlite.pragma("integrity_check", { simple: true });
  if (check !== "ok") throw new Error(`the database copy failed SQLite's integrity check: ${String(check)}`);
  const schemaVersion = db.sqlite.pragma("user_version", { simple: true }) as number;
  const counts: Record<string, number> = {};
  for (const t of COUNTED_TABLES) counts[t] = (db.sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { schemaVersion, counts };
}
