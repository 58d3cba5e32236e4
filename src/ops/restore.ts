/** `npm run restore`: fills an empty (or new) data dir from a backup archive, after checking it opens every kubeconfig. */
import { existsSync } from "node:fs";
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import * as tar from "tar";
import { MIGRATIONS } from "../db/migrations.ts";
import { CLUSTER_ID_RE } from "../util/ids.ts";
import { DB_FILE, KEY_FILE, MANIFEST_FILE, WORKSPACES_DIR } from "./layout.ts";
import { ARCHIVE_VERSION, keyId, manifestSchema, type Manifest } from "./manifest.ts";
import { inspectCopy, openCopy } from "./db-snapshot.ts";
import { checkKubeconfigs } from "./kubeconfig-check.ts";

/** A restore that cannot be done; nothing was written to the data dir. */
export class RestoreError extends Error {}

export interface RestoreOptions {
  archive: string;
  dataDir: string;
  /** LABFORGE_SECRET_KEY, when the restored labforge will run with it. */
  envKey?: string;
}

export interface RestoreReport {
  dataDir: string;
  manifest: Manifest;
  /** Stored kubeconfigs that were decrypted with the key the bot will use. */
  kubeconfigs: number;
}

/** Restores `archive` into `dataDir`, which must be missing or empty. */
export async function restoreDataDir(o: RestoreOptions): Promise<RestoreReport> {
  const archive = resolve(o.archive);
  const dataDir = resolve(o.dataDir);
  if (!existsSync(archive) || !(await stat(archive)).isFile()) throw new RestoreError(`${archive} is not a file`);
  const existed = existsSync(dataDir);
  if (existed) {
    if (!(await stat(dataDir)).isDirectory()) throw new RestoreError(`${dataDir} exists and is not a directory`);
    const present = (await readdir(dataDir)).sort();
    if (present.length > 0) {
      const list = present.slice(0, 4).join(", ") + (present.length > 4 ? ", …" : "");
      throw new RestoreError(`the data dir ${dataDir} is not empty (${list}); restore fills only an empty or new directory: move it aside (mv ${dataDir} ${dataDir}.old) and run the restore again`);
    }
  }
  await mkdir(dirname(dataDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dataDir), ".labforge-restore-"));
  try {
    await extract(archive, staging);
    const manifest = await readManifest(archive, staging);
    const key = await effectiveKey(manifest, staging, o.envKey);
    const db = openCopy(join(staging, DB_FILE));
    let kubeconfigs: number;
    try {
      const { schemaVersion } = inspectCopy(db);
      if (schemaVersion !== manifest.schema_version) throw new RestoreError(`the database has schema version ${schemaVersion} but the manifest says ${manifest.schema_version}: the archive is damaged`);
      const { ok, failed } = await checkKubeconfigs(db, key);
      if (failed.length > 0) throw new RestoreError(`${failed.length} stored kubeconfig(s) do not open with the key (clusters ${failed.slice(0, 5).join(", ")}): the archive is damaged`);
      kubeconfigs = ok;
    } finally {
      await db.close();
    }
    await settle(staging, dataDir, existed);
    return { dataDir, manifest, kubeconfigs };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Whether an archive entry may exist in a labforge backup: its three files and cluster workspaces, nothing else. */
function allowedEntry(path: string, type: string): boolean {
  const parts = path.replace(/^\.\//, "").replace(/\/$/, "").split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) return false;
  const [top, id] = parts;
  if (parts.length === 1 && [MANIFEST_FILE, DB_FILE, KEY_FILE].includes(top!)) return type === "File";
  if (top !== WORKSPACES_DIR) return false;
  if (parts.length === 1) return type === "Directory";
  if (!CLUSTER_ID_RE.test(id!)) return false;
  return type === "File" || type === "Directory";
}

async function extract(archive: string, staging: string): Promise<void> {
  const refused: string[] = [];
  try {
    await tar.x({
      file: archive, cwd: staging, strict: true, preservePaths: false, preserveOwner: false,
      filter: (path, entry) => {
        const type = "type" in entry ? entry.type : entry.isDirectory() ? "Directory" : "File";
        if (allowedEntry(path, type)) return true;
        refused.push(`${path} (${type})`);
        return false;
      },
    });
  } catch (e) {
    throw new RestoreError(`${archive} is not a readable labforge backup: ${(e as Error).message}`);
  }
  if (refused.length > 0) {
    throw new RestoreError(`${archive} holds entries no labforge backup has, so nothing was restored: ${refused.slice(0, 5).join(", ")}`);
  }
}

async function readManifest(archive: string, staging: string): Promise<Manifest> {
  const text = await readFile(join(staging, MANIFEST_FILE), "utf8").catch(() => undefined);
  if (text === undefined) throw new RestoreError(`${archive} is not a labforge backup: it has no ${MANIFEST_FILE}`);
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw new RestoreError(`${archive}: ${MANIFEST_FILE} is not JSON`); }
  const version = (parsed as { version?: unknown }).version;
  if (typeof version === "number" && version > ARCHIVE_VERSION) {
    throw new RestoreError(`${archive} was written by a newer labforge (archive format ${version}; this one reads ${ARCHIVE_VERSION}): restore it with that labforge or a newer one`);
  }
  const m = manifestSchema.safeParse(parsed);
  if (!m.success) throw new RestoreError(`${archive} is not a labforge backup: ${MANIFEST_FILE} is malformed (${m.error.issues[0]?.path.join(".")}: ${m.error.issues[0]?.message})`);
  if (m.data.schema_version > MIGRATIONS.length) {
    throw new RestoreError(`${archive} holds a database of schema version ${m.data.schema_version}, newer than this labforge knows (${MIGRATIONS.length}): install labforge ${m.data.labforge_version} or newer, then restore`);
  }
  if (!existsSync(join(staging, DB_FILE))) throw new RestoreError(`${archive} has no ${DB_FILE}`);
  return m.data;
}

/** The key the restored bot will use (LABFORGE_SECRET_KEY wins, as at start), checked against the manifest. */
async function effectiveKey(m: Manifest, staging: string, envKey?: string): Promise<Buffer> {
  let key: Buffer;
  if (envKey) {
    if (!/^[0-9a-f]{64}$/i.test(envKey)) throw new RestoreError("LABFORGE_SECRET_KEY must be 64 hex characters");
    key = Buffer.from(envKey, "hex");
  } else if (m.secret_key === "environment") {
    throw new RestoreError("this backup was made from a labforge running with LABFORGE_SECRET_KEY, so the key is not in it: set LABFORGE_SECRET_KEY to that key and run the restore again");
  } else {
    const hex = (await readFile(join(staging, KEY_FILE), "utf8").catch(() => "")).trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new RestoreError(`the archive's ${KEY_FILE} is missing or damaged`);
    key = Buffer.from(hex, "hex");
  }
  if (keyId(key) !== m.key_id) {
    throw new RestoreError(envKey
      ? "LABFORGE_SECRET_KEY is not the key this backup's kubeconfigs were written with: " + (m.secret_key === "archived" ? "unset it to use the archived secret.key" : "set the one the backed-up labforge used")
      : `the archive's ${KEY_FILE} does not match its manifest: the archive is damaged`);
  }
  return key;
}

/** Tightens modes, drops the manifest, and moves the state into place (renames on one file system). */
async function settle(staging: string, dataDir: string, existed: boolean): Promise<void> {
  await rm(join(staging, MANIFEST_FILE), { force: true });
  for (const n of await readdir(staging)) if (![DB_FILE, KEY_FILE, WORKSPACES_DIR].includes(n)) await rm(join(staging, n), { recursive: true, force: true });
  await mkdir(join(staging, WORKSPACES_DIR), { recursive: true });
  await tighten(staging);
  if (!existed) {
    await rename(staging, dataDir);
    return;
  }
  const owner = await stat(dataDir);
  for (const n of await readdir(staging)) await rename(join(staging, n), join(dataDir, n));
  await rmdir(staging);
  await chmod(dataDir, 0o700);
  // Run as root into a directory the service owns (its StateDirectory): hand the files to that owner.
  if (process.geteuid?.() === 0 && owner.uid !== 0) await chownTree(dataDir, owner.uid, owner.gid);
}

async function tighten(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const n of await readdir(dir)) {
    const p = join(dir, n);
    const s = await lstat(p);
    if (s.isDirectory()) await tighten(p);
    else await chmod(p, 0o600);
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const n of await readdir(dir)) {
    const p = join(dir, n);
    if ((await lstat(p)).isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}
