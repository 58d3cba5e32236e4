/** Proxmox VM ids per cluster from `infra.proxmox.vmid_range`, allocated in the database like IPs, so runs never race for one id. */
import type { Kysely } from "kysely";
import type { Db } from "../../db/open.ts";
import type { Database } from "../../db/schema.ts";

export type VmidResult = { ok: true; vmids: number[] } | { ok: false; free: number };

/** What the proxmox driver needs: ids for a cluster's nodes (control plane first), and their release after destroy. */
export interface VmidAllocator {
  /** The range, as configured, for messages. */
  readonly range: string;
  /** Returns `count` ids for the cluster (idempotent: the ones it already holds come first, in position order). */
  allocate(clusterId: string, count: number): Promise<VmidResult>;
  /** Frees every id the cluster holds; returns how many. */
  free(clusterId: string): Promise<number>;
}

/**
 * Reserves ids for positions the cluster does not hold yet, lowest free first.
 * Must run inside a transaction; the primary key on `vmid` makes a double
 * allocation impossible even so. Ids beyond `count` stay held until freed (a
 * smaller cluster keeps its first ids; VMs that existed keep theirs).
 */
export async function allocateVmids(trx: Kysely<Database>, range: { first: number; last: number }, clusterId: string, count: number, now: number): Promise<VmidResult> {
  const mine = await trx.selectFrom("vmid_allocations").select(["vmid", "position"]).where("cluster_id", "=", clusterId).orderBy("position").execute();
  if (mine.length >= count) return { ok: true, vmids: mine.slice(0, count).map((r) => r.vmid) };
  const taken = new Set((await trx.selectFrom("vmid_allocations").select("vmid")
    .where("vmid", ">=", range.first).where("vmid", "<=", range.last).execute()).map((r) => r.vmid));
  const need = count - mine.length;
  const fresh: number[] = [];
  for (let id = range.first; id <= range.last && fresh.length < need; id++) if (!taken.has(id)) fresh.push(id);
  if (fresh.length < need) return { ok: false, free: fresh.length };
  const start = (mine.at(-1)?.position ?? -1) + 1;
  await trx.insertInto("vmid_allocations")
    .values(fresh.map((vmid, i) => ({ vmid, cluster_id: clusterId, position: start + i, allocated_at: now }))).execute();
  return { ok: true, vmids: [...mine.map((r) => r.vmid), ...fresh] };
}

/** Frees every id of a cluster; returns how many were freed. */
export async function freeVmids(db: Kysely<Database>, clusterId: string): Promise<number> {
  const r = await db.deleteFrom("vmid_allocations").where("cluster_id", "=", clusterId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The ids a cluster holds, control plane first (for status pages and operators). */
export async function vmidsOf(db: Kysely<Database>, clusterId: string): Promise<number[]> {
  const rows = await db.selectFrom("vmid_allocations").select("vmid").where("cluster_id", "=", clusterId).orderBy("position").execute();
  return rows.map((r) => r.vmid);
}

/** A VmidAllocator on the bot's database; each allocation is one transaction. */
export function databaseVmids(db: Db, rangeText: string, range: { first: number; last: number }, now: () => number = Date.now): VmidAllocator {
  return {
    range: rangeText,
    allocate: (clusterId, count) => db.k.transaction().execute((trx) => allocateVmids(trx, range, clusterId, count, now())),
    free: (clusterId) => freeVmids(db.k, clusterId),
  };
}
