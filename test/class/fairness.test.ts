/**
 * Fairness beside a class session: the fair order counts a session as one party's work, so an individual request
 * takes the first free slot instead of waiting for 6 (or 40) session clusters, and a session never holds every
 * `max_parallel_jobs` slot while other work waits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { makeCore, baseConfig, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { TimedDriver, VirtualTime, runVirtual } from "../helpers/virtual-time.ts";
import { fairOrder, sessionMayTakeSlot } from "../../src/jobs/fair-order.ts";
import { openDb, type Db } from "../../src/db/open.ts";
import { JobQueue } from "../../src/jobs/queue.ts";
import { enqueueJob, lockJob } from "../../src/jobs/repo.ts";
import { createLogger } from "../../src/log.ts";
import { createMetrics } from "../../src/metrics.ts";

const MIN = 60_000;
const STEPS = { prepare: MIN, apply: 3 * MIN, wait_ssh: MIN, configure: 4 * MIN, kubeconfig: MIN };

let t: TestCore | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("a class session and individual requests side by side", () => {
  it("individual requests, of another tenant and of the session's own, take the first free slots; the session's clusters follow", async () => {
    const c = baseConfig() as { members: unknown[] };
    const students = Array.from({ length: 6 }, (_, i) => ({ identities: [`console:s${i + 1}`], roles: { dsg: "student" } }));
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 9));
    const vt = new VirtualTime(clock);
    let driver: TimedDriver | undefined;
    t = await makeCore({
      clock, config: { ...c, members: [...c.members, ...students], queue: { max_parallel_jobs: 3, max_parallel_clones: 3 } },
      driver: (_c, dataDir) => (driver = new TimedDriver(dataDir, vt, STEPS)),
    });
    // Dan's class of six starts now and takes all three slots: nobody else is waiting yet.
    const roster = students.map((s) => s.identities[0]).join(",");
    expect((await t.cmd("console:dan", `class create osl workers=0 for=${roster}`, "console:#dsg")).code).toBeUndefined();
    // A moment later Tim (a TA of cs401) and Eve (a student of dsg itself) each ask for one cluster.
    expect((await t.cmd("console:tim", "create solo workers=0")).card.title).toBe("solo is queued");
    expect((await t.cmd("console:eve", "create mine workers=0", "console:#dsg")).card.title).toBe("mine is queued");
    await runVirtual(t, vt, async () => {
      const rows = await t!.core.app.db.k.selectFrom("jobs").select("state").where("kind", "=", "provision").execute();
      return rows.every((r) => r.state === "succeeded");
    });
    // Both start as soon as the first three finish, before the session's fourth to sixth (Eve's too, though
    // her tenant is the session's: the session counts as one party's six jobs, not six students' first ones).
    expect(driver!.started).toEqual(["osl-01", "osl-02", "osl-03", "solo", "mine", "osl-04", "osl-05", "osl-06"]);
    const solo = await t.core.app.db.k.selectFrom("clusters").select("ready_at").where("name", "=", "solo").executeTakeFirstOrThrow();
    expect(solo.ready_at! - Date.UTC(2026, 11, 7, 9)).toBe(2 * 10 * MIN);
  });
});

describe("the session slot cap in the real queue", () => {
  let dir: string;
  let db: Db;
  let queue: JobQueue | undefined;
  afterEach(async () => { await queue?.stop(); await db?.close(); rmSync(dir, { recursive: true, force: true }); });

  it("leaves one slot free for a waiting job that the fair order ranks behind the session", async () => {
    dir = mkdtempSync(join(tmpdir(), "labforge-fair-"));
    db = openDb(join(dir, "labforge.db"));
    const clock = new ManualClock(1_000_000);
    const log = createLogger("silent", undefined as never, new Writable({ write(_c, _e, cb) { cb(); } }) as never);
    queue = new JobQueue(db, clock, log, createMetrics(false), { concurrency: 3, retryDelayMs: 0 });
    const add = async (id: string, owner: string, tenant: string, sessionId: string | null, kind: "provision" | "deliver" = "provision") => {
      await db.k.insertInto("clusters").values({
        id, tenant, name: id, owner, state: "queued", workers: 0, size: "small", vcpus: 1, memory_mb: 1, disk_gb: 1, ttl_ms: 1,
        channel: "console:#t", root_ref: null, nodes: null, expires_at: null, reminded_at: null, ready_at: null, failure: null, created_at: 0, updated_at: 0,
      }).onConflict((oc) => oc.doNothing()).execute();
      return (await enqueueJob(db.k, { kind, clusterId: id, tenant, owner, dedupeKey: `${kind}:${id}`, now: clock.now(), sessionId })).job;
    };
    // Eve already has two deliveries running elsewhere, so her provision ranks third, level with the session's third.
    for (const d of ["d1", "d2"]) {
      const j = await add(d, "console:eve", "u", null, "deliver");
      await lockJob(db.k, j.id, "worker-elsewhere", clock.now());
    }
    for (const s of ["s1", "s2", "s3"]) await add(s, `console:${s}`, "t", "sess");
    await add("x", "console:eve", "u", null);
    const queued = await db.k.selectFrom("jobs").selectAll().where("state", "=", "queued").execute();
    const running = await db.k.selectFrom("jobs").selectAll().where("state", "=", "running").execute();
    // Fair order alone would hand the session all three slots …
    expect(fairOrder(queued, running).map((j) => j.cluster_id)).toEqual(["s1", "s2", "s3", "x"]);
    // … the queue runs two of them and Eve's job.
    const started: string[] = [];
    // Each runner holds its slot until the queue stops it.
    await queue.start({ provision: (job, signal) => { started.push(job.cluster_id); return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))); } });
    await new Promise((r) => setTimeout(r, 100));
    expect(started.sort()).toEqual(["s1", "s2", "x"]);
    await queue.stop();
    queue = undefined;
  });

  it("lets a session take every slot when nothing else waits, and counts it as one party in the order", () => {
    expect(sessionMayTakeSlot({ session_id: "a" }, 2, 3, false)).toBe(true);
    expect(sessionMayTakeSlot({ session_id: "a" }, 2, 3, true)).toBe(false);
    expect(sessionMayTakeSlot({ session_id: null }, 2, 3, true)).toBe(true);
    const job = (id: number, owner: string, session_id: string | null) => ({ id, owner, tenant: "t", kind: "provision" as const, created_at: id, session_id });
    // Five session clusters of five students, then Bob's one: Bob's goes second, not sixth.
    const queued = [1, 2, 3, 4, 5].map((i) => job(i, `s${i}`, "sess")).concat(job(6, "bob", null));
    expect(fairOrder(queued, []).map((j) => j.id)).toEqual([1, 6, 2, 3, 4, 5]);
  });
});
