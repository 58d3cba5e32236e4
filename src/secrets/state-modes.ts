/**
 * Checks that labforge's state is private to its user (SPEC §6: the data dir 0700, its files 0600). The database
 * holds identities, audit and requests; a readable data dir or database gives them to every local user.
 */
import { statSync } from "node:fs";
import { join } from "node:path";

export interface LooseMode {
  path: string;
  /** The permission bits found, e.g. 0o644. */
  mode: number;
  /** What it should be: 0o700 for directories, 0o600 for files. */
  want: number;
}

/** What labforge itself keeps at the top of the data dir; anything else there is the operator's. */
export const STATE_ENTRIES: readonly string[] = [
  "labforge.db", "labforge.db-wal", "labforge.db-shm", "secret.key", "ssh", "workspaces", "terraform-plugin-cache",
];

/** The data dir and labforge's entries in it whose mode lets group or others in; empty when all is private. */
export function looseStateModes(dataDir: string): LooseMode[] {
  const loose: LooseMode[] = [];
  const check = (path: string) => {
    let st;
    try { st = statSync(path); } catch { return; } // gone meanwhile (a -wal file at checkpoint)
    const mode = st.mode & 0o777;
    if ((mode & 0o077) !== 0) loose.push({ path, mode, want: st.isDirectory() ? 0o700 : 0o600 });
  };
  check(dataDir);
  for (const name of STATE_ENTRIES) check(join(dataDir, name));
  return loose;
}

/** `0644`-style text for a mode, for messages. */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, "0")}`;
}
