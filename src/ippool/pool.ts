/**
 * IP addresses per cluster from `network.pool`, allocated inside the caller's transaction: a contiguous block when a
 * cluster is first queued, then per node (any free address) when it grows, so a cluster can add workers on a pool
 * whose neighbours are taken.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { intToIp, ipToInt, parseRange } from "./ipv4.ts";

export type PoolResult = { ok: true; ips: string[] } | { ok: false; free: number; largestBlock: number };

/**
 * Reserves `count` consecutive addresses for a cluster (idempotent: an existing block of that size is returned).
 * Must run inside a transaction; the primary key on `ip` makes an overlap impossible even so.
 */
export async function allocateBlock(trx: Kysely<Database>, pool: string, clusterId: string, count: number, now: number): Promise<PoolResult> {
  const mine = await trx.selectFrom("ip_allocations").select(["ip"]).where("cluster_id", "=", clusterId).orderBy("position").execute();
  if (mine.length === count) return { ok: true, ips: mine.map((r) => r.ip) };
  if (mine.length > 0) await trx.deleteFrom("ip_allocations").where("cluster_id", "=", clusterId).execute();

  const range = parseRange(pool);
  if (!range) throw new Error(`network.pool ${pool} is not a range`);
  const taken = new Set((await trx.selectFrom("ip_allocations").select("ip").execute()).map((r) => ipToInt(r.ip)));
  let runStart = range.first;
  let largest = 0;
  let free = 0;
  for (let ip = range.first; ip <= range.last; ip++) {
    if (taken.has(ip)) { runStart = ip + 1; continue; }
    free++;
    const runLength = ip - runStart + 1;
    largest = Math.max(largest, runLength);
    if (runLength === count) {
      const ips = Array.from({ length: count }, (_, i) => intToIp(runStart + i));
      await trx.insertInto("ip_allocations")
        .values(ips.map((ipText, position) => ({ ip: ipText, cluster_id: clusterId, position, allocated_at: now }))).execute();
      return { ok: true, ips };
    }
  }
  return { ok: false, free, largestBlock: largest };
}

export type NodesResult = { ok: true; ips: string[]; added: string[] } | { ok: false; free: number };

/**
 * Makes the cluster hold exactly `count` addresses, one per node position (0 = control plane): keeps the addresses
 * it has below `count`, adds the lowest free ones for missing positions and leaves positions `count` and above alone
 * (free them with `freeFrom` once their VMs are gone). Idempotent; run inside a transaction.
 */
export async function allocateNodes(trx: Kysely<Database>, pool: string, clusterId: string, count: number, now: number): Promise<NodesResult> {
  const range = parseRange(pool);
  if (!range) throw new Error(`network.pool ${pool} is not a range`);
  const mine = await trx.selectFrom("ip_allocations").select(["ip", "position"]).where("cluster_id", "=", clusterId).orderBy("position").execute();
  const byPosition = new Map(mine.map((r) => [r.position, r.ip]));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byPosition.has(i));
  const taken = new Set((await trx.selectFrom("ip_allocations").select("ip").execute()).map((r) => ipToInt(r.ip)));
  const free: number[] = [];
  for (let ip = range.first; ip <= range.last && free.length < missing.length; ip++) if (!taken.has(ip)) free.push(ip);
  if (free.length < missing.length) return { ok: false, free: free.length };
  const added = missing.map((position, i) => ({ ip: intToIp(free[i]!), cluster_id: clusterId, position, allocated_at: now }));
  if (added.length > 0) await trx.insertInto("ip_allocations").values(added).execute();
  for (const a of added) byPosition.set(a.position, a.ip);
  return { ok: true, ips: Array.from({ length: count }, (_, i) => byPosition.get(i)!), added: added.map((a) => a.ip) };
}

/** Frees the addresses of node positions `count` and above (removed workers); returns how many were freed. */
export async function freeFrom(db: Kysely<Database>, clusterId: string, count: number): Promise<number> {
  const result = await db.deleteFrom("ip_allocations").where("cluster_id", "=", clusterId).where("position", ">=", count).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Frees every address of a cluster; returns how many were freed. */
export async function freeBlock(db: Kysely<Database>, clusterId: string): Promise<number> {
  const result = await db.deleteFrom("ip_allocations").where("cluster_id", "=", clusterId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The addresses held by a cluster, control plane first. */
export async function ipsOf(db: Kysely<Database>, clusterId: string): Promise<string[]> {
  const rows = await db.selectFrom("ip_allocations").select("ip").where("cluster_id", "=", clusterId).orderBy("position").execute();
  return rows.map((r) => r.ip);
}
