/** What a data dir holds, and which of it a backup archive carries (docs/operations.md, "What is backed up"). */

/** The SQLite database; `-wal` and `-shm` beside it belong to the live copy only. */
export const DB_FILE = "labforge.db";
/** The kubeconfig key, when LABFORGE_SECRET_KEY is not set. */
export const KEY_FILE = "secret.key";
/** Per-cluster Terraform workspaces (proxmox driver) or state files (simulated driver). */
export const WORKSPACES_DIR = "workspaces";
/** The archive's description of itself. */
export const MANIFEST_FILE = "manifest.json";

/**
 * Top-level entries a backup leaves out on purpose, with the reason it prints.
 * Secrets other than the database and the key never go into an archive.
 */
export const NOT_ARCHIVED: Record<string, string> = {
  "ssh": "the proxmox driver's SSH private key: a secret, kept out of archives; back it up separately (docs/operations.md)",
  "terraform-plugin-cache": "a download cache; terraform init fills it again",
  [`${DB_FILE}-wal`]: "part of the live database; the online copy already contains it",
  [`${DB_FILE}-shm`]: "part of the live database; the online copy already contains it",
};

/**
 * Inside a workspace: what is skipped. `.terraform/` holds only what `terraform
 * init` rebuilds (the driver runs it before every apply and destroy): provider
 * binaries or links into the plugin cache, and a link to the module directory.
 * Temp files are half-written leftovers of an atomic write; pid files and
 * terraform's lock note belong to processes on this host only.
 */
export function skippedInWorkspace(relPath: string): boolean {
  const parts = relPath.split("/");
  if (parts[0] === ".terraform") return true;
  if (parts.length === 1 && (/^\.labforge-[a-z]+\.pid$/.test(parts[0]!) || parts[0] === ".terraform.tfstate.lock.info")) return true;
  return parts.some((p) => p.startsWith(".tmp-") || /\.tmp-[0-9a-f]{8}$/.test(p));
}
