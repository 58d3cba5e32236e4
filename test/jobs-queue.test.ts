/** The queue owns job outcomes: success, failure, retries with backoff, cancellation, and writes only under its own lock. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { openDb, type Db } from "../src/db/open.ts";
import { JobQueue, type JobRunner } from "../src/jobs/queue.ts";
import { JobCancelled, JobFailure } from "../src/jobs/errors.ts";
import { completeJob, enqueueJob, failJob, lockJob, queueSummary, runnableJobs } from "../src/jobs/repo.ts";
import { createLogger } from "../src/log.ts";
import { createMetrics } from "../src/metrics.ts";
import { Redactor } from "../src/util/redact.ts";
import { ManualClock } from "../src/util/clock.ts";
import type { Job, JobKind } from "../src/db/schema.ts";
import { AckGate } from "../src/kernel/ack-gate.ts";
import { queuePosition } from "../src/clusters/queue-position.ts";
import type { App } from "../src/clusters/app.ts";

let dir: string;
let db: Db;
let queue: JobQueue | undefined;
const clock = new ManualClock(1_000_000);
afterEach(async () => { await queue?.stop(); await db?.close(); rmSync(dir, { recursive: true, force: true }); });

function setup(opts: { retryDelayMs?: number; concurrency?: number; acks?: AckGate } = {}) {
  dir = mkdtempSync(join(tmpdir(), "labforge-queue-"));
  db = openDb(join(dir, "labforge.db"));
  const redactor = new Redactor();
  redactor.add("hunter2-secret");
  const log = createLogger("silent", redactor, new Writable({ write(_c, _e, cb) { cb(); } }) as never);
  queue = new JobQueue(db, clock, log, createMetrics(false), { concurrency: opts.concurrency ?? 1, retryDelayMs: opts.retryDelayMs ?? 0, redact: (s) => redactor.redact(s), acks: opts.acks });
  return queue;
}

async function add(key: string, kind: JobKind = "provision", maxAttempts = 1): Promise<Job> {
  await db.k.insertInto("clusters").values({
    id: key, tenant: "t", name: key, owner: "console:bob", state: "queued", workers: 0, size: "small", vcpus: 1, memory_mb: 1, disk_gb: 1, ttl_ms: 1,
    channel: "console:#t", root_ref: null, nodes: null, expires_at: null, reminded_at: null, ready_at: null, failure: null, created_at: 0, updated_at: 0,
  }).onConflict((oc) => oc.doNothing()).execute();
  return (await enqueueJob(db.k, { kind, clusterId: key, tenant: "t", owner: "console:bob", dedupeKey: `${kind}:${key}`, now: clock.now(), maxAttempts })).job;
}

async function rows() {
  return db.k.selectFrom("jobs").select(["dedupe_key", "state", "attempts", "last_error"]).orderBy("id").execute();
}

describe("job queue outcomes", () => {
  it("a runner that returns succeeds, one that throws fails with its (redacted) error, and idle resolves", async () => {
    const q = setup();
    await add("ok1");
    await add("bug1");
    await add("gone1");
    const runner: JobRunner = async (job) => {
      if (job.cluster_id === "bug1") throw new TypeError("undefined is not a function near hunter2-secret");
      if (job.cluster_id === "gone1") throw new JobCancelled("the cluster is gone");
    };
    await q.start({ provision: runner });
    await q.whenIdle();
    expect(await rows()).toEqual([
      { dedupe_key: "provision:ok1", state: "succeeded", attempts: 1, last_error: null },
      { dedupe_key: "provision:bug1", state: "failed", attempts: 1, last_error: "undefined is not a function near [redacted]" },
      { dedupe_key: "provision:gone1", state: "cancelled", attempts: 1, last_error: "the cluster is gone" },
    ]);
  });

  it("retries a retryable failure with growing backoff while attempts remain, then fails for good", async () => {
    const q = setup({ retryDelayMs: 1000 });
    await add("flaky", "deliver", 3);
    const runAts: number[] = [];
    await q.start({
      deliver: async (job) => {
        runAts.push(clock.now());
        throw new JobFailure(`attempt ${job.attempts} failed`, { retryable: true });
      },
    });
    for (const step of [0, 1000, 4000]) {
      clock.advance(step);
      q.pump();
      for (let i = 0; i < 50 && runAts.length < [0, 1000, 4000].indexOf(step) + 1; i++) await new Promise((r) => setTimeout(r, 10));
    }
    await q.whenIdle();
    expect(runAts.map((t) => t - 1_000_000)).toEqual([0, 1000, 5000]);
    expect(await rows()).toEqual([{ dedupe_key: "deliver:flaky", state: "failed", attempts: 3, last_error: "attempt 3 failed" }]);
  });

  it("does not run a job before its retry time", async () => {
    const q = setup({ retryDelayMs: 60_000 });
    await add("later", "deliver", 2);
    let runs = 0;
    await q.start({ deliver: async () => { runs++; if (runs === 1) throw new JobFailure("not yet", { retryable: true }); } });
    await new Promise((r) => setTimeout(r, 100));
    q.pump();
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBe(1);
    expect((await rows())[0]!.state).toBe("queued");
    clock.advance(60_000);
    q.pump();
    await q.whenIdle();
    expect(runs).toBe(2);
    expect((await rows())[0]!.state).toBe("succeeded");
  });

  it("a pump reads only what it chooses from: running jobs and the due ones of a lane with a free slot, as slots", async () => {
    setup();
    const provision = await add("p1");
    const deliver = await add("d1", "deliver");
    const later = await add("p2");
    await db.k.updateTable("jobs").set({ run_at: clock.now() + 60_000 }).where("id", "=", later.id).execute();
    const running = await lockJob(db.k, (await add("p3")).id, "worker-a", clock.now());
    const ids = (r: { id: number }[]) => r.map((j) => j.id);
    const all = await runnableJobs(db.k, clock.now());
    expect([ids(all.running), ids(all.due)]).toEqual([[running!.id], [provision.id, deliver.id]]);
    expect(Object.keys(all.due[0]!).sort()).toEqual(["cluster_id", "created_at", "id", "kind", "owner", "run_at", "session_id", "state", "tenant"]);
    expect(ids((await runnableJobs(db.k, clock.now(), { kinds: ["provision"] })).due)).toEqual([provision.id]);
    expect(ids((await runnableJobs(db.k, clock.now(), { kinds: ["provision"], not: true })).due)).toEqual([deliver.id]);
    expect(await queueSummary(db.k, clock.now())).toEqual({ queued: 3, running: 1, nextRunAt: clock.now() + 60_000 });
  });

  it("a queue position counts the infrastructure jobs ahead, not deliveries waiting in their own lane", async () => {
    setup();
    await add("d1", "deliver");
    await add("d2", "deliver");
    await add("p1");
    await add("p2");
    const app = { db, clock } as unknown as App;
    expect(await queuePosition(app, "p1")).toBe(1);
    expect(await queuePosition(app, "p2")).toBe(2);
    expect(await queuePosition(app, "d1")).toBeUndefined();
  });

  it("writes an outcome only while the writer holds the lock", async () => {
    setup();
    const job = await add("locked");
    expect(await lockJob(db.k, job.id, "worker-a", clock.now())).toMatchObject({ id: job.id, state: "running", locked_by: "worker-a", attempts: 1 });
    expect(await completeJob(db.k, { id: job.id, locked_by: "worker-b" }, clock.now())).toBe(false);
    expect(await failJob(db.k, { id: job.id, locked_by: "worker-b" }, clock.now(), "nope")).toBe(false);
    expect((await rows())[0]!.state).toBe("running");
    expect(await completeJob(db.k, { id: job.id, locked_by: "worker-a" }, clock.now())).toBe(true);
    expect((await rows())[0]!.state).toBe("succeeded");
  });

  it("runs short jobs beside a full infrastructure lane", async () => {
    const q = setup({ concurrency: 1 });
    await add("slow", "provision");
    await add("dm", "deliver");
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const order: string[] = [];
    await q.start({
      provision: async () => { order.push("provision start"); await held; order.push("provision end"); },
      deliver: async () => { order.push("deliver"); },
    });
    for (let i = 0; i < 50 && !order.includes("deliver"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(["provision start", "deliver"]);
    release();
    await q.whenIdle();
  });

  it("starts no job while an acknowledgement is pending, starts it once they are out, and starts nothing after stop", async () => {
    const acks = new AckGate(5, 10_000);
    const q = setup({ acks });
    await add("first");
    const ran: string[] = [];
    acks.enter();
    await q.start({ provision: async (job) => { ran.push(job.cluster_id); } });
    await new Promise((r) => setTimeout(r, 60));
    expect(ran).toEqual([]);
    acks.leave();
    await q.whenIdle();
    expect(ran).toEqual(["first"]);

    acks.enter();
    await add("second");
    q.pump();
    await q.stop();
    acks.leave();
    await new Promise((r) => setTimeout(r, 60));
    expect(ran).toEqual(["first"]);
    expect((await rows()).map((r) => r.state)).toEqual(["succeeded", "queued"]);
  });
});
