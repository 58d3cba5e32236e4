/** Per-cluster working directories under the data dir, with the path checked before any use. */
import { mkdir, rm } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { CLUSTER_ID_RE } from "../util/ids.ts";

/** Returns `<dataDir>/workspaces/<clusterId>`, refusing ids or paths that could leave the data dir. */
export function workspaceOf(dataDir: string, clusterId: string): string {
  if (!CLUSTER_ID_RE.test(clusterId)) throw new Error(`invalid cluster id ${JSON.stringify(clusterId)}`);
  return ensureSubPath(resolve(dataDir, "workspaces"), clusterId);
}

/** Resolves `child` under `root` and throws unless the result lies strictly inside `root`. */
export function ensureSubPath(root: string, child: string): string {
  const base = resolve(root);
  const full = resolve(base, child);
  if (!full.startsWith(base + sep)) throw new Error(`path ${full} is outside ${base}`);
  return full;
}

/** Creates the workspace directory (mode 0700) if missing and returns it. */
export async function ensureWorkspace(dataDir: string, clusterId: string): Promise<string> {
  const dir = workspaceOf(dataDir, clusterId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Removes a cluster's workspace. */
export async function removeWorkspace(dataDir: string, clusterId: string): Promise<void> {
  await rm(workspaceOf(dataDir, clusterId), { recursive: true, force: true });
}
