/** `npm run backup -- <archive.tar.gz>`: writes a backup of LABFORGE_DATA_DIR, safe while labforge runs (docs/operations.md). */
import { ConfigError } from "../src/config/load.ts";
import { loadSettings, secretValues } from "../src/config/settings.ts";
import { BackupError, backupDataDir } from "../src/ops/backup.ts";

const USAGE = "usage: npm run backup -- <archive.tar.gz>   (LABFORGE_DATA_DIR names the data dir; default ./data)";

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith("-")) {
    process.stderr.write(`${args.includes("--help") || args.includes("-h") ? "" : "backup: expected one archive path\n"}${USAGE}\n`);
    return args.includes("--help") || args.includes("-h") ? 0 : 2;
  }
  const settings = loadSettings(process.env);
  const r = await backupDataDir({
    dataDir: settings.LABFORGE_DATA_DIR, out: args[0]!, envKey: settings.LABFORGE_SECRET_KEY,
    secrets: secretValues(settings),
  });
  const m = r.manifest;
  const c = m.counts;
  process.stdout.write([
    `wrote ${r.out} (${r.bytes} bytes, mode 0600)`,
    `  database: schema ${m.schema_version}; ${c.clusters} clusters, ${c.requests} requests, ${c.jobs} jobs, ${c.grants} grants, ${c.audit} audit rows, ${c.kubeconfigs} kubeconfigs (all decrypt)`,
    `  key: ${m.secret_key === "archived" ? "secret.key archived" : "LABFORGE_SECRET_KEY (not archived: keep the EnvironmentFile's backup with this one)"} (key id ${m.key_id})`,
    `  workspaces: ${m.workspaces.length}`,
    ...r.notArchived.map((n) => `  not archived: ${n}`),
  ].join("\n") + "\n");
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  const known = e instanceof BackupError || (e instanceof ConfigError);
  process.stderr.write(`backup failed: ${known ? (e as Error).message : (e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
