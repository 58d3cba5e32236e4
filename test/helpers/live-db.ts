/** Watching a running bot's database from a test: read-only peeks, and waiting for a moment (to kill it, say). */
import Database from "better-sqlite3";

/** Waits until `probe` is true, polling every 10 ms; throws after `timeoutMs`. */
export async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the moment to kill");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads one row from the live database (read-only; undefined until the file and the row exist). */
export function peek<T>(dbFile: string, sql: string): T | undefined {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try { return db.prepare(sql).get() as T | undefined; } finally { db.close(); }
  } catch { return undefined; }
}
