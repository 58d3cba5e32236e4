/** Kubeconfigs at rest: AES-256-GCM under the secret key, bound to their cluster id. */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db } from "../db/open.ts";

export class KubeconfigStore {
  constructor(private readonly db: Db, private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the kubeconfig key must be 32 bytes");
  }

  /** Encrypts and stores (or replaces) a cluster's kubeconfig. */
  async save(clusterId: string, kubeconfig: string, now: number): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    // The cluster id is authenticated data: a row copied to another cluster will not decrypt.
    cipher.setAAD(Buffer.from(clusterId));
    const ciphertext = Buffer.concat([cipher.update(kubeconfig, "utf8"), cipher.final()]);
    const row = { cluster_id: clusterId, ciphertext, iv, tag: cipher.getAuthTag(), created_at: now };
    await this.db.k.insertInto("kubeconfigs").values(row)
      .onConflict((oc) => oc.column("cluster_id").doUpdateSet({ ciphertext, iv, tag: row.tag, created_at: now })).execute();
  }

  /** Decrypts a cluster's kubeconfig; undefined when none is stored. */
  async load(clusterId: string): Promise<string | undefined> {
    const row = await this.db.k.selectFrom("kubeconfigs").selectAll().where("cluster_id", "=", clusterId).executeTakeFirst();
    if (!row) return undefined;
    const decipher = createDecipheriv("aes-256-gcm", this.key, row.iv);
    decipher.setAAD(Buffer.from(clusterId));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString("utf8");
  }

  /** Removes a cluster's kubeconfig (on delete). */
  async remove(clusterId: string): Promise<void> {
    await this.db.k.deleteFrom("kubeconfigs").where("cluster_id", "=", clusterId).execute();
  }
}
