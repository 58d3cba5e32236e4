import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../src/db/open.ts";
import { allocateBlock, freeBlock } from "../src/ippool/pool.ts";
import { ipToInt } from "../src/ippool/ipv4.ts";

let dir: string;
let db: Db;
afterEach(async () => { await db?.close(); rmSync(dir, { recursive: true, force: true }); });

function open(): Db {
  dir = mkdtempSync(join(tmpdir(), "labforge-ip-"));
  db = openDb(join(dir, "t.db"));
  return db;
}

async function addCluster(id: string): Promise<void> {
  await db.k.insertInto("clusters").values({
    id, tenant: "t", name: id, owner: "console:x", state: "queued", workers: 0, size: "small", vcpus: 1, memory_mb: 1, disk_gb: 1,
    ttl_ms: 1, channel: "console:#t", root_ref: null, nodes: null, expires_at: null, ready_at: null, failure: null, created_at: 0, updated_at: 0,
  }).execute();
}

function allocate(id: string, count: number, pool = "10.0.0.1-10.0.3.254") {
  return db.k.transaction().execute((trx) => allocateBlock(trx, pool, id, count, 0));
}

describe("IP pool", () => {
  it("gives 200 concurrent allocations contiguous, non-overlapping blocks", async () => {
    open();
    const ids = Array.from({ length: 200 }, (_, i) => `c-${String(i).padStart(12, "0")}`);
    for (const id of ids) await addCluster(id);
    const results = await Promise.all(ids.map((id, i) => allocate(id, 1 + (i % 3))));
    const seen = new Set<string>();
    for (const [i, r] of results.entries()) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.ips).toHaveLength(1 + (i % 3));
      const ints = r.ips.map((ip) => ipToInt(ip)!);
      ints.forEach((n, k) => { if (k > 0) expect(n).toBe(ints[k - 1]! + 1); });
      for (const ip of r.ips) { expect(seen.has(ip)).toBe(false); seen.add(ip); }
    }
    const rows = await db.k.selectFrom("ip_allocations").selectAll().execute();
    expect(rows).toHaveLength(seen.size);
  });

  it("reports exhaustion with the free count and largest block, and reuses freed addresses", async () => {
    open();
    for (const id of ["c-a", "c-b", "c-c"]) await addCluster(id);
    const pool = "10.0.0.1-10.0.0.5";
    expect(await allocate("c-a", 3, pool)).toEqual({ ok: true, ips: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] });
    expect(await allocate("c-b", 3, pool)).toEqual({ ok: false, free: 2, largestBlock: 2 });
    expect(await allocate("c-b", 2, pool)).toEqual({ ok: true, ips: ["10.0.0.4", "10.0.0.5"] });
    expect(await freeBlock(db.k, "c-a")).toBe(3);
    expect(await allocate("c-c", 3, pool)).toEqual({ ok: true, ips: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] });
  });

  it("is idempotent per cluster, and the database refuses a duplicate address", async () => {
    open();
    await addCluster("c-a");
    await addCluster("c-b");
    const first = await allocate("c-a", 2);
    expect(await allocate("c-a", 2)).toEqual(first);
    await expect(db.k.insertInto("ip_allocations").values({ ip: "10.0.0.1", cluster_id: "c-b", position: 0, allocated_at: 0 }).execute()).rejects.toThrow(/UNIQUE|PRIMARY/);
  });
});
