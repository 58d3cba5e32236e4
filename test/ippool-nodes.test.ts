/** Per-node IP allocation (issue 17): a cluster grows on a fragmented pool and shrinks from its last workers. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../src/db/open.ts";
import { allocateBlock, allocateNodes, freeFrom, ipsOf } from "../src/ippool/pool.ts";

let dir: string;
let db: Db;
afterEach(async () => { await db?.close(); rmSync(dir, { recursive: true, force: true }); });

const POOL = "10.0.0.1-10.0.0.6";

async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "labforge-ipn-"));
  db = openDb(join(dir, "t.db"));
  for (const id of ["a", "b"]) {
    await db.k.insertInto("clusters").values({
      id, tenant: "t", name: id, owner: "console:x", state: "queued", workers: 0, size: "small", vcpus: 1, memory_mb: 1, disk_gb: 1,
      ttl_ms: 1, channel: "console:#t", created_at: 0, updated_at: 0,
    }).execute();
  }
}

const tx = <T>(f: (trx: Db["k"]) => Promise<T>): Promise<T> => db.k.transaction().execute(f);

describe("per-node IP allocation", () => {
  it("grows a cluster past a neighbour's block, keeps its addresses, and frees only the removed positions", async () => {
    await setup();
    expect(await tx((trx) => allocateBlock(trx, POOL, "a", 2, 0))).toEqual({ ok: true, ips: ["10.0.0.1", "10.0.0.2"] });
    expect(await tx((trx) => allocateBlock(trx, POOL, "b", 2, 0))).toEqual({ ok: true, ips: ["10.0.0.3", "10.0.0.4"] });
    // a grows to 4 nodes: its first two stay, the next free ones are not contiguous with them.
    expect(await tx((trx) => allocateNodes(trx, POOL, "a", 4, 1))).toEqual({ ok: true, ips: ["10.0.0.1", "10.0.0.2", "10.0.0.5", "10.0.0.6"], added: ["10.0.0.5", "10.0.0.6"] });
    // Idempotent: asking again adds nothing.
    expect(await tx((trx) => allocateNodes(trx, POOL, "a", 4, 2))).toMatchObject({ ok: true, added: [] });
    // No room for b to grow: the failure says how many are free.
    expect(await tx((trx) => allocateNodes(trx, POOL, "b", 3, 3))).toEqual({ ok: false, free: 0 });
    expect(await ipsOf(db.k, "b")).toEqual(["10.0.0.3", "10.0.0.4"]);
    // a shrinks to 2: positions 2 and 3 are freed, and b can grow into them.
    expect(await freeFrom(db.k, "a", 2)).toBe(2);
    expect(await ipsOf(db.k, "a")).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(await tx((trx) => allocateNodes(trx, POOL, "b", 3, 4))).toEqual({ ok: true, ips: ["10.0.0.3", "10.0.0.4", "10.0.0.5"], added: ["10.0.0.5"] });
  });
});
