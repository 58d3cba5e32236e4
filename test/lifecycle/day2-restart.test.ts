/** Day-2 jobs survive a restart (resuming after their last finished step) and lose to a delete. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import type { ClusterSpec, NodeInfo, StepContext } from "../../src/provisioning/driver.ts";
import { nodesOf } from "../../src/clusters/repo.ts";
import { ipsOf } from "../../src/ippool/pool.ts";
import { readyCluster, row } from "./helpers.ts";

/** A simulated driver that counts calls and can hold `joinWorkers` until its step is aborted. */
class CountingDriver extends SimulatedDriver {
  readonly calls: string[] = [];
  joined?: () => void;
  constructor(dataDir: string, private readonly holdJoin: boolean) { super({ dataDir, stepMs: 0, fail: {} }); }
  override async apply(spec: ClusterSpec, ctx: StepContext): Promise<NodeInfo[]> { this.calls.push("apply"); return super.apply(spec, ctx); }
  override async joinWorkers(spec: ClusterSpec, nodes: NodeInfo[], joining: NodeInfo[], ctx: StepContext): Promise<void> {
    this.calls.push("join");
    if (this.holdJoin) {
      this.joined?.();
      await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }));
    }
    return super.joinWorkers(spec, nodes, joining, ctx);
  }
}

const open: TestCore[] = [];
let dataDir: string;
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("day-2 jobs, restarts and deletes", () => {
  it("a scale interrupted by a shutdown resumes after its last finished step on the next start", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-day2-restart-"));
    const key = randomBytes(32);
    const first = new CountingDriver(dataDir, true);
    const a = await makeCore({ dataDir, secretKey: key, driver: () => first });
    open.push(a);
    const c = await readyCluster(a, "console:bob", "lab3", { extra: "workers=0" });
    const reached = new Promise<void>((r) => { first.joined = r; });
    expect((await a.cmd("console:bob", "scale lab3 workers=2")).code).toBeUndefined();
    await reached;
    await a.close();
    open.splice(0);

    const second = new CountingDriver(dataDir, false);
    const b = await makeCore({ dataDir, secretKey: key, driver: () => second });
    open.push(b);
    await b.idle();
    const job = await b.core.app.db.k.selectFrom("jobs").selectAll().where("kind", "=", "scale").executeTakeFirstOrThrow();
    expect([job.state, job.attempts, job.last_step]).toEqual(["succeeded", 2, "done"]);
    expect(job.log_tail).toContain("resuming after wait_ssh");
    // The VMs were cloned once, before the restart; the join ran again.
    expect(second.calls).toEqual(["join"]);
    const r = await row(b, "lab3");
    expect([r.state, r.workers, nodesOf(r).length]).toEqual(["ready", 2, 3]);
    expect(await ipsOf(b.core.app.db.k, c.id)).toHaveLength(3);
  });

  it("a delete aborts a running scale at once and destroys the cluster", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-day2-delete-"));
    const driver = new CountingDriver(dataDir, true);
    const t = await makeCore({ dataDir, driver: () => driver });
    open.push(t);
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=0" });
    const reached = new Promise<void>((r) => { driver.joined = r; });
    await t.cmd("console:bob", "scale lab3 workers=1");
    await reached;
    expect((await t.press("console:bob", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "lab3")).state).toBe("deleted");
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).where("cluster_id", "=", c.id).orderBy("id").execute();
    expect(jobs.slice(2)).toEqual([{ kind: "scale", state: "cancelled" }, { kind: "destroy", state: "succeeded" }]);
    expect(await ipsOf(t.core.app.db.k, c.id)).toEqual([]);
  });
});
