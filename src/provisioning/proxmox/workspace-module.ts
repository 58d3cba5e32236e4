/**
 * Each workspace owns a copy of the k8s-cluster module it was made with
 * (`<workspace>/module`), fingerprinted in `labforge-workspace.json`, so a
 * cluster is always applied and destroyed with its own code even after the
 * repository's module or provider pin moved on.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** The copy's folder inside a workspace; main.tf.json points at it as "./module". */
export const MODULE_COPY = "module";
/** Written once, when the workspace is made. */
export const MANIFEST = "labforge-workspace.json";

export interface WorkspaceManifest {
  /** 2 = owns a module copy (1 was the absolute-path reference of earlier labforge versions, which had no manifest). */
  format: 2;
  moduleFingerprint: string;
  createdAt: string;
}

/** Files of a module that terraform reads or a person may want: everything except terraform's own caches and state. */
function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name.startsWith("terraform.tfstate")) continue; // .terraform, .terraform.lock.hcl, state
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 over the module's file names and contents: equal fingerprints mean the same code (synchronous: small files, read at start). */
export function moduleFingerprint(dir: string): string {
  const h = createHash("sha256");
  for (const f of moduleFiles(dir)) h.update(`${relative(dir, f)}\0`).update(readFileSync(f)).update("\0");
  return h.digest("hex");
}

/** Copies the module into `<wsDir>/module` (dirs 0700, files 0600) and writes the manifest. */
export async function copyModuleInto(moduleDir: string, wsDir: string, now: Date = new Date()): Promise<void> {
  const dest = join(wsDir, MODULE_COPY);
  for (const f of moduleFiles(moduleDir)) {
    const target = join(dest, relative(moduleDir, f));
    await mkdir(join(target, ".."), { recursive: true, mode: 0o700 });
    await writeFile(target, await readFile(f), { mode: 0o600 });
  }
  const manifest: WorkspaceManifest = { format: 2, moduleFingerprint: moduleFingerprint(moduleDir), createdAt: now.toISOString() };
  await writeFile(join(wsDir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
}

/** The workspace's manifest, or undefined for a workspace made before module copies (or a damaged one). */
export async function readManifest(wsDir: string): Promise<WorkspaceManifest | undefined> {
  return readManifestSync(wsDir);
}

function readManifestSync(wsDir: string): WorkspaceManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(wsDir, MANIFEST), "utf8")) as Partial<WorkspaceManifest>;
    return m.format === 2 && typeof m.moduleFingerprint === "string" && existsSync(join(wsDir, MODULE_COPY)) ? m as WorkspaceManifest : undefined;
  } catch {
    return undefined;
  }
}

/** Names of the variables a module declares (`variable "x"` blocks in its .tf files). */
export async function declaredVariables(moduleDir: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const f of (await readdir(moduleDir)).filter((n) => n.endsWith(".tf"))) {
    for (const m of (await readFile(join(moduleDir, f), "utf8")).matchAll(/^variable\s+"([A-Za-z0-9_-]+)"/gm)) names.add(m[1]!);
  }
  return names;
}

export interface WorkspaceReport {
  /** Workspaces whose module copy differs from the current module: applied and destroyed with their own copy. */
  older: string[];
  /** Workspaces made before module copies: they still use the current module by absolute path. */
  legacy: string[];
  current: number;
}

/** Sorts every cluster workspace under the data dir by the module it was made with (synchronous, so the start-up log has it before anything runs). */
export function workspaceReport(dataDir: string, moduleDir: string): WorkspaceReport {
  const root = join(dataDir, "workspaces");
  const report: WorkspaceReport = { older: [], legacy: [], current: 0 };
  if (!existsSync(root)) return report;
  const current = moduleFingerprint(moduleDir);
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const m = readManifestSync(join(root, e.name));
    if (!m) report.legacy.push(e.name);
    else if (m.moduleFingerprint !== current) report.older.push(e.name);
    else report.current++;
  }
  report.older.sort();
  report.legacy.sort();
  return report;
}
