/** Proves a key opens every stored kubeconfig: a backup without a working key is no backup. */
import type { Db } from "../db/open.ts";
import { KubeconfigStore } from "../secrets/kubeconfig-store.ts";

/** Decrypts every stored kubeconfig with `key`; returns how many opened and the cluster ids of those that did not. */
export async function checkKubeconfigs(db: Db, key: Buffer): Promise<{ ok: number; failed: string[] }> {
  const store = new KubeconfigStore(db, key);
  const rows = await db.k.selectFrom("kubeconfigs").select("cluster_id").execute();
  let ok = 0;
  const failed: string[] = [];
  for (const { cluster_id } of rows) {
    try {
      if ((await store.load(cluster_id)) !== undefined) ok++;
    } catch {
      failed.push(cluster_id); // GCM's tag check failed: another key, or a damaged row
    }
  }
  return { ok, failed };
}
