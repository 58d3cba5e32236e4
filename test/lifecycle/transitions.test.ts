/** Every state against every transition, on a real database: the legal ones move, every other one is a typed refusal. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb, type Db } from "../../src/db/open.ts";
import type { ClusterState } from "../../src/db/schema.ts";
import { move, TRANSITIONS, type Transition } from "../../src/clusters/lifecycle.ts";

const STATES: ClusterState[] = ["pending_approval", "queued", "provisioning", "ready", "deleting", "deleted", "rejected", "failed", "expired",
  "stopping", "stopped", "starting", "scaling"];

// The contract, written out by hand (not derived from the table it checks): transition → [from states] → to.
const EXPECTED: Record<Transition, [ClusterState[], ClusterState]> = {
  approve: [["pending_approval"], "queued"],
  reject: [["pending_approval"], "rejected"],
  lapse: [["pending_approval"], "rejected"],
  withdraw: [["pending_approval"], "deleted"],
  begin: [["queued", "provisioning"], "provisioning"],
  ready: [["provisioning"], "ready"],
  fail: [["queued", "provisioning"], "failed"],
  retry: [["failed"], "queued"],
  delete: [["queued", "provisioning", "ready", "failed", "stopping", "stopped", "starting", "scaling"], "deleting"],
  expire: [["ready", "stopped"], "expired"],
  stop: [["ready"], "stopping"],
  stopped: [["stopping"], "stopped"],
  stop_failed: [["stopping"], "ready"],
  start: [["stopped"], "starting"],
  started: [["starting"], "ready"],
  start_failed: [["starting"], "stopped"],
  scale: [["ready"], "scaling"],
  scaled: [["scaling"], "ready"],
  rebuild: [["ready", "stopped"], "queued"],
  destroyed: [["deleting", "expired"], "deleted"],
  destroy_failed: [["deleting", "expired"], "failed"],
};

let dir: string;
let db: Db;
let n = 0;

async function clusterIn(state: ClusterState): Promise<string> {
  const id = `c${++n}`;
  await db.k.insertInto("clusters").values({
    id, tenant: "cs401", name: `n${n}`, owner: "console:bob", state, workers: 0, size: "small", vcpus: 2, memory_mb: 2048, disk_gb: 20,
    ttl_ms: 1000, channel: "console:#cs401", root_ref: null, nodes: null, expires_at: null, reminded_at: null, ready_at: null, failure: null,
    created_at: 0, updated_at: 0,
  }).execute();
  return id;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "labforge-transitions-"));
  db = openDb(join(dir, "labforge.db"));
});
afterAll(async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); });

describe("the cluster state machine", () => {
  it("has exactly the transitions of the contract", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const t of Object.keys(EXPECTED) as Transition[]) {
    for (const from of STATES) {
      const [legal, to] = EXPECTED[t];
      const ok = legal.includes(from);
      it(`${t} from ${from}: ${ok ? `moves to ${to}` : "is refused"}`, async () => {
        const id = await clusterIn(from);
        const r = await db.k.transaction().execute((trx) => move(trx, id, t, 5));
        const after = await db.k.selectFrom("clusters").select(["state", "updated_at"]).where("id", "=", id).executeTakeFirstOrThrow();
        if (ok) {
          expect(r).toMatchObject({ ok: true, from, cluster: { state: to } });
          expect(after).toEqual({ state: to, updated_at: 5 });
        } else {
          expect(r).toMatchObject({ ok: false, code: "cluster.transition", state: from });
          expect(after).toEqual({ state: from, updated_at: 0 });
        }
      });
    }
  }

  it("refuses an unknown cluster and a timestamp that is no time", async () => {
    expect(await db.k.transaction().execute((trx) => move(trx, "nope", "ready", 1))).toMatchObject({ ok: false, code: "cluster.not_found" });
    const id = await clusterIn("provisioning");
    await expect(db.k.transaction().execute((trx) => move(trx, id, "ready", 1, { expires_at: Number.MAX_VALUE }))).rejects.toThrow(/not a valid timestamp/);
    expect((await db.k.selectFrom("clusters").select("state").where("id", "=", id).executeTakeFirstOrThrow()).state).toBe("provisioning");
  });

  it("loses a race cleanly: of two moves from one state, one wins and the other is refused", async () => {
    const id = await clusterIn("provisioning");
    const [a, b] = await Promise.all([
      db.k.transaction().execute((trx) => move(trx, id, "ready", 9)),
      db.k.transaction().execute((trx) => move(trx, id, "fail", 9)),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
  });
});
