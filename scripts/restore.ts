/** `npm run restore -- <archive.tar.gz>`: fills an empty LABFORGE_DATA_DIR from a backup (docs/operations.md). */
import { ConfigError } from "../src/config/load.ts";
import { loadSettings } from "../src/config/settings.ts";
import { RestoreError, restoreDataDir } from "../src/ops/restore.ts";

const USAGE = "usage: npm run restore -- <archive.tar.gz>   (into LABFORGE_DATA_DIR, which must be empty or missing; default ./data)";

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith("-")) {
    process.stderr.write(`${args.includes("--help") || args.includes("-h") ? "" : "restore: expected one archive path\n"}${USAGE}\n`);
    return args.includes("--help") || args.includes("-h") ? 0 : 2;
  }
  const settings = loadSettings(process.env);
  const r = await restoreDataDir({ archive: args[0]!, dataDir: settings.LABFORGE_DATA_DIR, envKey: settings.LABFORGE_SECRET_KEY });
  const m = r.manifest;
  const c = m.counts;
  process.stdout.write([
    `restored ${r.dataDir} from a backup of ${m.created_at} (labforge ${m.labforge_version}, schema ${m.schema_version})`,
    `  ${c.clusters} clusters, ${c.requests} requests, ${c.jobs} jobs, ${c.grants} grants, ${c.audit} audit rows, ${m.workspaces.length} workspaces`,
    `  ${r.kubeconfigs} of ${c.kubeconfigs} kubeconfigs decrypt with the ${m.secret_key === "archived" && !settings.LABFORGE_SECRET_KEY ? "archived secret.key" : "LABFORGE_SECRET_KEY"}`,
    "start labforge on this data dir: running jobs resume from their last finished step",
  ].join("\n") + "\n");
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  const known = e instanceof RestoreError || (e instanceof ConfigError);
  process.stderr.write(`restore failed: ${known ? (e as Error).message : (e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
