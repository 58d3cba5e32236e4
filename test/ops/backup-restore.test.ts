/** Backup and restore in process: a live core's data dir into an archive and back, and every refusal with its reason. */
import { afterEach, describe, expect, it } from "vitest";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import * as tar from "tar";
import BetterSqlite3 from "better-sqlite3";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { readyCluster } from "../lifecycle/helpers.ts";
import { loadSecretKey } from "../../src/secrets/secret-key.ts";
import { backupDataDir, BackupError } from "../../src/ops/backup.ts";
import { restoreDataDir, RestoreError } from "../../src/ops/restore.ts";
import { openCopy } from "../../src/ops/db-snapshot.ts";
import { KubeconfigStore } from "../../src/secrets/kubeconfig-store.ts";
import { MIGRATIONS } from "../../src/db/migrations.ts";

const dirs: string[] = [];
const cores: TestCore[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `labforge-${prefix}-`));
  dirs.push(d);
  return d;
}

/** A running core on `<root>/data` with its key in secret.key (as main.ts does), two ready clusters and a grant. */
async function liveBot(root: string, envKey?: Buffer): Promise<{ t: TestCore; dataDir: string; key: Buffer }> {
  const dataDir = join(root, "data");
  mkdirSync(dataDir, { mode: 0o700 });
  const key = envKey ?? loadSecretKey(dataDir);
  const t = await makeCore({ dataDir, secretKey: key });
  cores.push(t);
  await readyCluster(t, "console:bob", "lab3");
  await readyCluster(t, "console:eve", "gx1", { tenant: "dsg" });
  expect((await t.cmd("console:ada", "grant console:zed student tenant=cs401")).code).toBeUndefined();
  return { t, dataDir, key };
}

/** Archive entries with their modes. */
async function entries(file: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await tar.t({ file, onReadEntry: (e) => { seen.set(e.path, (e.mode ?? 0) & 0o777); } });
  return seen;
}

async function kubeconfigsOf(dataDir: string, key: Buffer): Promise<Map<string, string>> {
  const db = openCopy(join(dataDir, "labforge.db"));
  try {
    const store = new KubeconfigStore(db, key);
    const out = new Map<string, string>();
    for (const { cluster_id } of await db.k.selectFrom("kubeconfigs").select("cluster_id").execute()) out.set(cluster_id, (await store.load(cluster_id))!);
    return out;
  } finally {
    await db.close();
  }
}

describe("backup", () => {
  it("archives a live bot: database and key 0600, workspaces, a manifest; not the SSH key, caches, .terraform/, links, temp or live WAL files", async () => {
    const root = temp("bk");
    const { t, dataDir, key } = await liveBot(root);
    // What the proxmox driver leaves besides workspaces, and a provider binary inside one.
    mkdirSync(join(dataDir, "ssh"), { mode: 0o700 });
    writeFileSync(join(dataDir, "ssh", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n", { mode: 0o600 });
    mkdirSync(join(dataDir, "terraform-plugin-cache"));
    const lab3 = (await t.core.app.db.k.selectFrom("clusters").select("id").where("name", "=", "lab3").executeTakeFirstOrThrow()).id;
    const ws = join(dataDir, "workspaces", lab3);
    mkdirSync(join(ws, ".terraform", "providers", "registry.terraform.io"), { recursive: true });
    writeFileSync(join(ws, ".terraform", "providers", "registry.terraform.io", "terraform-provider-x"), "binary");
    mkdirSync(join(ws, ".terraform", "modules"), { recursive: true });
    symlinkSync(join(tmpdir(), "module"), join(ws, ".terraform", "modules", "cluster"));
    writeFileSync(join(ws, ".terraform.lock.hcl"), "# provider pins\n");
    writeFileSync(join(ws, "main.tf.json.tmp-0a1b2c3d"), "{");
    writeFileSync(join(ws, ".labforge-terraform.pid"), JSON.stringify({ pgid: 4242, file: "terraform" }));
    writeFileSync(join(ws, ".terraform.tfstate.lock.info"), "{}");
    symlinkSync("/etc/passwd", join(ws, "a-link"));
    expect(existsSync(join(dataDir, "labforge.db-wal"))).toBe(true); // the bot holds the database open

    const out = join(root, "labforge.tar.gz");
    const r = await backupDataDir({ dataDir, out });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const e = await entries(out);
    expect(e.get("labforge.db")).toBe(0o600);
    expect(e.get("secret.key")).toBe(0o600);
    expect(e.get("manifest.json")).toBe(0o600);
    expect(e.get(`workspaces/${lab3}/simulated-state.json`)).toBe(0o600);
    expect(e.get(`workspaces/${lab3}/.terraform.lock.hcl`)).toBe(0o600);
    const names = [...e.keys()];
    expect(names.filter((n) => /ssh|plugin-cache|\.terraform\/|-wal|-shm|a-link|\.tmp-|\.pid$|lock\.info/.test(n))).toEqual([]);
    expect(r.manifest).toMatchObject({ format: "labforge-backup", version: 1, schema_version: MIGRATIONS.length, secret_key: "archived" });
    expect(r.manifest.counts).toMatchObject({ clusters: 2, kubeconfigs: 2, grants: 1 });
    expect(r.manifest.workspaces).toHaveLength(2);
    expect(r.notArchived.join("\n")).toMatch(/^ssh: the proxmox driver's SSH private key/m);
    expect(r.notArchived.join("\n")).toMatch(/^terraform-plugin-cache: a download cache/m);
    // The key in the archive is the bot's key.
    const x = temp("x");
    await tar.x({ file: out, cwd: x });
    expect(readdirSync(x).sort()).toEqual(["labforge.db", "manifest.json", "secret.key", "workspaces"]);
    expect(await kubeconfigsOf(x, key)).toEqual(await kubeconfigsOf(dataDir, key));
    // And the bot never noticed: it keeps working.
    await readyCluster(t, "console:eve", "gx2", { tenant: "dsg" });
  });

  it("refuses to overwrite, to write into the data dir, a dir without a database, and a wrong LABFORGE_SECRET_KEY", async () => {
    const root = temp("bk-refuse");
    const { dataDir } = await liveBot(root);
    const out = join(root, "a.tar.gz");
    writeFileSync(out, "precious");
    await expect(backupDataDir({ dataDir, out })).rejects.toThrow(/already exists; backups never overwrite/);
    await expect(backupDataDir({ dataDir, out: join(dataDir, "b.tar.gz") })).rejects.toThrow(/outside the data dir/);
    await expect(backupDataDir({ dataDir: join(root, "nope"), out: join(root, "c.tar.gz") })).rejects.toThrow(/there is no labforge\.db in .*nope: set LABFORGE_DATA_DIR/);
    await expect(backupDataDir({ dataDir, out: join(root, "d.tar.gz"), envKey: randomBytes(32).toString("hex") }))
      .rejects.toThrow(/2 stored kubeconfig\(s\) do not open with this key .*LABFORGE_SECRET_KEY is not the key the bot uses/);
    expect(existsSync(join(root, "d.tar.gz"))).toBe(false);
    expect(readdirSync(root).filter((n) => n.startsWith(".labforge-backup-"))).toEqual([]); // staging cleaned up
  });

  it("refuses a workspace that holds a secret, naming the file, and writes nothing", async () => {
    const root = temp("bk-secret");
    const { t, dataDir } = await liveBot(root);
    const id = (await t.core.app.db.k.selectFrom("clusters").select("id").where("name", "=", "lab3").executeTakeFirstOrThrow()).id;
    const token = `tok${randomBytes(10).toString("hex")}`;
    writeFileSync(join(dataDir, "workspaces", id, "leak.log"), `api_token=${token}\n`);
    const out = join(root, "x.tar.gz");
    await expect(backupDataDir({ dataDir, out, secrets: [token] })).rejects.toThrow(new RegExp(`workspaces/${id}/leak.log holds a secret from the environment`));
    writeFileSync(join(dataDir, "workspaces", id, "leak.log"), "-----BEGIN RSA PRIVATE KEY-----\n");
    await expect(backupDataDir({ dataDir, out })).rejects.toBeInstanceOf(BackupError);
    expect(existsSync(out)).toBe(false);
  });
});

describe("restore", () => {
  it("fills a new data dir with every row and a key that opens every kubeconfig, 0700/0600; refuses a non-empty one", async () => {
    const root = temp("rs");
    const { t, dataDir, key } = await liveBot(root);
    const out = join(root, "b.tar.gz");
    await backupDataDir({ dataDir, out });
    const target = join(root, "restored");
    const r = await restoreDataDir({ archive: out, dataDir: target });
    expect(r.kubeconfigs).toBe(2);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(join(target, "labforge.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(target, "secret.key")).mode & 0o777).toBe(0o600);
    expect(readdirSync(target).sort()).toEqual(["labforge.db", "secret.key", "workspaces"]);
    expect(loadSecretKey(target)).toEqual(key);
    const tables = ["clusters", "requests", "jobs", "ip_allocations", "grants", "audit", "kubeconfigs"];
    const dump = (file: string) => {
      const db = new BetterSqlite3(file, { readonly: true });
      try { return Object.fromEntries(tables.map((tb) => [tb, db.prepare(`SELECT * FROM ${tb} ORDER BY rowid`).all()])); } finally { db.close(); }
    };
    await t.close();
    cores.splice(0);
    expect(dump(join(target, "labforge.db"))).toEqual(dump(join(dataDir, "labforge.db")));
    expect(readdirSync(join(target, "workspaces")).sort()).toEqual(readdirSync(join(dataDir, "workspaces")).sort());

    // Again into the same, now full, directory: refused, nothing touched.
    await expect(restoreDataDir({ archive: out, dataDir: target })).rejects.toThrow(
      new RegExp(`the data dir ${target} is not empty \\(labforge.db, secret.key, workspaces\\); restore fills only an empty or new directory`));
    // An existing empty directory (systemd's StateDirectory) is fine.
    const empty = join(root, "empty");
    mkdirSync(empty);
    await restoreDataDir({ archive: out, dataDir: empty });
    expect(readdirSync(empty).sort()).toEqual(["labforge.db", "secret.key", "workspaces"]);
    expect(readdirSync(root).filter((n) => n.startsWith(".labforge-restore-"))).toEqual([]);
  });

  it.skipIf(process.geteuid?.() !== 0)("run as root into a directory the service owns, hands the files to that owner", async () => {
    const root = temp("rs-owner");
    const { dataDir } = await liveBot(root);
    const out = join(root, "b.tar.gz");
    await backupDataDir({ dataDir, out });
    const target = join(root, "state");
    mkdirSync(target, { mode: 0o700 });
    chownSync(target, 4321, 4321); // as systemd's StateDirectory= makes it for User=labforge
    await restoreDataDir({ archive: out, dataDir: target });
    for (const f of ["", "labforge.db", "secret.key", "workspaces"]) expect(statSync(join(target, f)).uid, f || ".").toBe(4321);
  });

  it("with LABFORGE_SECRET_KEY: the key is not archived; restore needs it and names a wrong one", async () => {
    const root = temp("rs-env");
    const key = randomBytes(32);
    const { dataDir } = await liveBot(root, key);
    const out = join(root, "b.tar.gz");
    const r = await backupDataDir({ dataDir, out, envKey: key.toString("hex") });
    expect(r.manifest.secret_key).toBe("environment");
    expect((await entries(out)).has("secret.key")).toBe(false);
    await expect(restoreDataDir({ archive: out, dataDir: join(root, "a") })).rejects.toThrow(/made from a labforge running with LABFORGE_SECRET_KEY.*set LABFORGE_SECRET_KEY to that key/);
    await expect(restoreDataDir({ archive: out, dataDir: join(root, "b"), envKey: randomBytes(32).toString("hex") })).rejects.toThrow(/LABFORGE_SECRET_KEY is not the key this backup's kubeconfigs were written with/);
    expect(existsSync(join(root, "a")) || existsSync(join(root, "b"))).toBe(false);
    expect((await restoreDataDir({ archive: out, dataDir: join(root, "c"), envKey: key.toString("hex") })).kubeconfigs).toBe(2);
  });

  it("refuses what is not a labforge backup, entries it never has, and a database from a newer labforge", async () => {
    const root = temp("rs-bad");
    const { dataDir } = await liveBot(root);
    const good = join(root, "good.tar.gz");
    await backupDataDir({ dataDir, out: good });
    const junk = join(root, "junk.tar.gz");
    writeFileSync(junk, "not a tar at all");
    await expect(restoreDataDir({ archive: junk, dataDir: join(root, "r1") })).rejects.toThrow(/junk.tar.gz is not a readable labforge backup: TAR_BAD_ARCHIVE/);
    await expect(restoreDataDir({ archive: join(root, "missing.tar.gz"), dataDir: join(root, "r1") })).rejects.toThrow(/missing.tar.gz is not a file/);

    // Unpack the good archive, add what an attacker (or a wrong tool) would, pack it again.
    const x = temp("x");
    await tar.x({ file: good, cwd: x });
    symlinkSync("/etc", join(x, "workspaces", "c-000000000000"));
    writeFileSync(join(x, "extra.txt"), "?");
    const evil = join(root, "evil.tar.gz");
    await tar.c({ file: evil, gzip: true, cwd: x }, ["manifest.json", "labforge.db", "secret.key", "workspaces", "extra.txt"]);
    await expect(restoreDataDir({ archive: evil, dataDir: join(root, "r2") })).rejects.toThrow(/holds entries no labforge backup has, so nothing was restored: .*(extra\.txt|c-000000000000)/);
    expect(existsSync(join(root, "r2"))).toBe(false);

    // A database one migration ahead of this labforge.
    const y = temp("y");
    await tar.x({ file: good, cwd: y });
    const db = new BetterSqlite3(join(y, "labforge.db"));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const manifest = JSON.parse((await import("node:fs")).readFileSync(join(y, "manifest.json"), "utf8"));
    writeFileSync(join(y, "manifest.json"), JSON.stringify({ ...manifest, schema_version: MIGRATIONS.length + 1, labforge_version: "9.9.9" }));
    const newer = join(root, "newer.tar.gz");
    await tar.c({ file: newer, gzip: true, cwd: y }, ["manifest.json", "labforge.db", "secret.key", "workspaces"]);
    await expect(restoreDataDir({ archive: newer, dataDir: join(root, "r3") })).rejects.toThrow(
      new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this labforge knows \\(${MIGRATIONS.length}\\): install labforge 9.9.9 or newer`));
    expect(existsSync(join(root, "r3"))).toBe(false);
    await expect(restoreDataDir({ archive: good, dataDir: join(root, "r4") })).resolves.toMatchObject({ kubeconfigs: 2 });
  });
});
