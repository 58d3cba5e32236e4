/** manifest.json, the first entry of a backup archive: what wrote it, the schema version, and how to find the key. */
import { REPO_ROOT } from "../util/repo-root.ts";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

export const ARCHIVE_FORMAT = "labforge-backup";
export const ARCHIVE_VERSION = 1;

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.number().int().min(1),
  created_at: z.string(),
  labforge_version: z.string(),
  /** The database's `user_version`: how many migrations it has. */
  schema_version: z.number().int().min(0),
  /** "archived": secret.key is in the archive; "environment": the key was LABFORGE_SECRET_KEY and is not. */
  secret_key: z.enum(["archived", "environment"]),
  /** A fingerprint of the key (not the key), so a restore can tell a wrong LABFORGE_SECRET_KEY at once. */
  key_id: z.string().regex(/^[0-9a-f]{16}$/),
  counts: z.record(z.string(), z.number().int().min(0)),
  workspaces: z.array(z.string()),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** A short, one-way fingerprint of the kubeconfig key. */
export function keyId(key: Buffer): string {
  return createHash("sha256").update("labforge key id\0").update(key).digest("hex").slice(0, 16);
}

/** This labforge's version, from package.json. */
export function labforgeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}
