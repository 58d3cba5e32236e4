/** `npm run backup`: one gzipped tar (mode 0600) with an online copy of the database, the key and the workspaces. */
import { createWriteStream, existsSync } from "node:fs";
import { chmod, copyFile, link, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { CLUSTER_ID_RE } from "../util/ids.ts";
import { sleep } from "../util/sleep.ts";
import { DB_FILE, KEY_FILE, MANIFEST_FILE, NOT_ARCHIVED, WORKSPACES_DIR, skippedInWorkspace } from "./layout.ts";
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, keyId, labforgeVersion, type Manifest } from "./manifest.ts";
import { copyDatabase, inspectCopy, openCopy } from "./db-snapshot.ts";
import { checkKubeconfigs } from "./kubeconfig-check.ts";
import { secretIn } from "./secret-scan.ts";

/** A backup that cannot be made; the message says why and what to do. */
export class BackupError extends Error {}

export interface BackupOptions {
  dataDir: string;
  /** The archive to write; it must not exist yet. */
  out: string;
  /** LABFORGE_SECRET_KEY, when the bot runs with it (then the key is not in the data dir, nor in the archive). */
  envKey?: string;
  /** Secret values (tokens from the environment) that must not appear in any archived workspace file. */
  secrets?: string[];
  now?: Date;
}

export interface BackupReport {
  out: string;
  bytes: number;
  manifest: Manifest;
  /** Data dir entries left out, each with the reason. */
  notArchived: string[];
}

/** Writes the archive; safe while labforge runs. */
export async function backupDataDir(o: BackupOptions): Promise<BackupReport> {
  const dataDir = resolve(o.dataDir);
  const out = resolve(o.out);
  const dbFile = join(dataDir, DB_FILE);
  if (!existsSync(dbFile)) throw new BackupError(`there is no ${DB_FILE} in ${dataDir}: set LABFORGE_DATA_DIR to the data dir of the labforge to back up`);
  if (existsSync(out)) throw new BackupError(`${out} already exists; backups never overwrite a file, choose a new name`);
  if (!existsSync(dirname(out))) throw new BackupError(`the directory ${dirname(out)} does not exist; create it (mode 0700) first`);
  if ((out + sep).startsWith(dataDir + sep)) throw new BackupError(`write the backup outside the data dir ${dataDir}: a backup must not be lost with it`);
  const { key, mode } = await readKey(dataDir, o.envKey);

  const staging = await mkdtemp(join(dirname(out), ".labforge-backup-")); // 0700, on the archive's file system
  try {
    // The database first, then the workspaces: a workspace is then as new as the
    // database's view of it or newer, and a resumed job's terraform run converges
    // from the newer state instead of forgetting VMs an older copy never saw.
    await copyDatabase(dbFile, join(staging, DB_FILE));
    await chmod(join(staging, DB_FILE), 0o600);
    const db = openCopy(join(staging, DB_FILE));
    let inspected;
    try {
      inspected = inspectCopy(db);
      const { failed } = await checkKubeconfigs(db, key);
      if (failed.length > 0) {
        throw new BackupError(`${failed.length} stored kubeconfig(s) do not open with this key (clusters ${failed.slice(0, 5).join(", ")}): `
          + (mode === "environment" ? "LABFORGE_SECRET_KEY is not the key the bot uses" : `${KEY_FILE} is not the key they were written with`) + "; nothing was written");
      }
    } finally {
      await db.close();
    }
    const entries = [MANIFEST_FILE, DB_FILE];
    if (mode === "archived") {
      await writeFile(join(staging, KEY_FILE), `${key.toString("hex")}\n`, { mode: 0o600 });
      entries.push(KEY_FILE);
    }
    const workspaces = await copyWorkspaces(dataDir, staging, o.secrets ?? []);
    entries.push(WORKSPACES_DIR);
    const manifest: Manifest = {
      format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, created_at: (o.now ?? new Date()).toISOString(),
      labforge_version: labforgeVersion(), schema_version: inspected.schemaVersion, secret_key: mode, key_id: keyId(key),
      counts: inspected.counts, workspaces,
    };
    await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });

    const partial = join(staging, "archive.partial");
    await pipeline(tar.c({ gzip: true, cwd: staging, portable: true }, entries), createWriteStream(partial, { mode: 0o600, flags: "wx" }));
    // link() never replaces: a file that appeared meanwhile under the name stays as it was.
    await link(partial, out).catch((e: NodeJS.ErrnoException) => {
      throw e.code === "EEXIST" ? new BackupError(`${out} appeared while the backup ran; nothing was overwritten`) : e;
    });
    await chmod(out, 0o600);
    return { out, bytes: (await stat(out)).size, manifest, notArchived: await notArchived(dataDir) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The key the bot uses: LABFORGE_SECRET_KEY when set, else `<data>/secret.key`. */
async function readKey(dataDir: string, envKey?: string): Promise<{ key: Buffer; mode: Manifest["secret_key"] }> {
  if (envKey) {
    if (!/^[0-9a-f]{64}$/i.test(envKey)) throw new BackupError("LABFORGE_SECRET_KEY must be 64 hex characters");
    return { key: Buffer.from(envKey, "hex"), mode: "environment" };
  }
  const hex = await readFile(join(dataDir, KEY_FILE), "utf8").catch(() => undefined);
  if (hex === undefined) {
    throw new BackupError(`there is no ${KEY_FILE} in ${dataDir} and LABFORGE_SECRET_KEY is not set: without the key the stored kubeconfigs cannot be read; run the backup with the service's environment`);
  }
  if (!/^[0-9a-f]{64}$/i.test(hex.trim())) throw new BackupError(`${join(dataDir, KEY_FILE)} is not a 64-hex-character key`);
  return { key: Buffer.from(hex.trim(), "hex"), mode: "archived" };
}

/** Copies every cluster workspace into `<staging>/workspaces`; returns the cluster ids copied. */
async function copyWorkspaces(dataDir: string, staging: string, secrets: string[]): Promise<string[]> {
  const from = join(dataDir, WORKSPACES_DIR);
  const to = join(staging, WORKSPACES_DIR);
  await mkdir(to, { mode: 0o700 });
  const names = existsSync(from) ? (await readdir(from)).filter((n) => CLUSTER_ID_RE.test(n)).sort() : [];
  const copied: string[] = [];
  for (const id of names) {
    try {
      await copyTree(join(from, id), join(to, id), "", secrets);
      copied.push(id);
    } catch (e) {
      // Removed meanwhile: its destroy finished after the database copy, which a resumed destroy copes with.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      await rm(join(to, id), { recursive: true, force: true });
    }
  }
  return copied;
}

async function copyTree(src: string, dest: string, rel: string, secrets: string[]): Promise<void> {
  await mkdir(dest, { mode: 0o700 });
  for (const name of (await readdir(src)).sort()) {
    const relPath = rel ? `${rel}/${name}` : name;
    if (skippedInWorkspace(relPath)) continue;
    const s = await lstat(join(src, name));
    if (s.isDirectory()) await copyTree(join(src, name), join(dest, name), relPath, secrets);
    else if (s.isFile()) await copyFileChecked(join(src, name), join(dest, name), secrets);
    // Anything else (links, sockets) is not workspace state.
  }
}

/** Copies one file (0600); refuses a secret; re-reads a JSON state file caught half-written by terraform. */
async function copyFileChecked(src: string, dest: string, secrets: string[]): Promise<void> {
  const isState = /\.(tfstate|json)$/.test(src);
  for (let attempt = 1; ; attempt++) {
    await copyFile(src, dest);
    await chmod(dest, 0o600);
    if (!isState || parsesAsJson(await readFile(dest, "utf8"))) break;
    if (attempt === 10) throw new BackupError(`${src} stayed half-written for 2 seconds (terraform is writing it); run the backup again`);
    await sleep(200);
  }
  const found = await secretIn(dest, secrets);
  if (found) {
    throw new BackupError(`${src} holds ${found}; workspaces must hold no secrets, so nothing was written (please report this as a bug)`);
  }
}

function parsesAsJson(text: string): boolean {
  try { JSON.parse(text); return true; } catch { return false; }
}

/** The data dir's top-level entries that are not in the archive, each with why. */
async function notArchived(dataDir: string): Promise<string[]> {
  const archived = new Set([DB_FILE, KEY_FILE, WORKSPACES_DIR]);
  return (await readdir(dataDir)).filter((n) => !archived.has(n)).sort()
    .map((n) => `${n}: ${NOT_ARCHIVED[n] ?? "not labforge state; not archived"}`);
}

