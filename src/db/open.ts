/** Opens the SQLite database (WAL) behind kysely and brings its schema up to date. */
import { closeSync, existsSync, openSync } from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { Database } from "./schema.ts";
import { migrate } from "./migrations.ts";

export interface Db {
  /** Typed query builder for reads and simple writes. */
  k: Kysely<Database>;
  /** The raw handle, for synchronous transactions that must not interleave (IP pool, quota, jobs). */
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/** Opens (creating if needed, mode 0600) the database file and runs pending migrations. */
export function openDb(file: string): Db {
  // SQLite would create the file 0644 under the usual umask; it gives -wal and -shm the database file's mode,
  // so creating the file 0600 first keeps all three private.
  if (file !== ":memory:" && !existsSync(file)) closeSync(openSync(file, "a", 0o600));
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  // Migrate (or refuse a newer schema) first: a database this labforge refuses is left byte for byte as it was.
  migrate(sqlite);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const k = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { k, sqlite, close: () => k.destroy() };
}
