/** Persisted jobs: one function per state change (graphile-worker style); outcome writes check the lock holder. */
import type { Kysely } from "kysely";
import type { Database, Job, JobKind } from "../db/schema.ts";

export interface NewJob {
  kind: JobKind;
  clusterId: string;
  tenant: string;
  owner: string;
  dedupeKey: string;
  now: number;
  maxAttempts?: number;
  payload?: unknown;
  /** When it may start (a class session's planned provisioning start); default now. */
  runAt?: number;
  /** The class session it works for, if any. */
  sessionId?: string | null;
}

/** Jobs that touch infrastructure; they share `max_parallel_jobs`. The others are short chat or kubectl calls. */
export const INFRA_KINDS: readonly JobKind[] = ["provision", "cleanup", "destroy", "stop", "start", "scale", "rebuild"];

/** Inserts a job unless one with the same dedupe key exists; returns the job either way and whether it is new. */
export async function enqueueJob(db: Kysely<Database>, j: NewJob): Promise<{ job: Job; created: boolean }> {
  const inserted = await db.insertInto("jobs").values({
    kind: j.kind, cluster_id: j.clusterId, tenant: j.tenant, owner: j.owner, state: "queued",
    dedupe_key: j.dedupeKey, attempts: 0, max_attempts: j.maxAttempts ?? 1, run_at: j.runAt ?? j.now, created_at: j.now,
    session_id: j.sessionId ?? null,
    payload: j.payload === undefined ? null : JSON.stringify(j.payload),
  }).onConflict((oc) => oc.column("dedupe_key").doNothing()).executeTakeFirst();
  const job = await db.selectFrom("jobs").selectAll().where("dedupe_key", "=", j.dedupeKey).executeTakeFirstOrThrow();
  return { job, created: Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 };
}

/** Moves a queued job to running under this worker and returns it whole; undefined if someone else took it first. */
export async function lockJob(db: Kysely<Database>, id: number, worker: string, now: number): Promise<Job | undefined> {
  return db.updateTable("jobs")
    .set((eb) => ({ state: "running", locked_at: now, locked_by: worker, attempts: eb("attempts", "+", 1) }))
    .where("id", "=", id).where("state", "=", "queued").returningAll().executeTakeFirst();
}

/** The job as locked by `worker`: every write below changes a job only while this worker holds it. */
export type Held = Pick<Job, "id" | "locked_by">;

/** An update of `job` that matches only while it is running under the lock its runner was given. */
function held(db: Kysely<Database>, job: Held) {
  return db.updateTable("jobs").where("id", "=", job.id).where("state", "=", "running").where("locked_by", "=", job.locked_by ?? "");
}

/** Records that a step started. */
export async function startStep(db: Kysely<Database>, job: Held, step: string): Promise<void> {
  await held(db, job).set({ current_step: step }).execute();
  // Wall time, not the injected clock: the durations only feed the web page's chart, never a decision.
  await db.insertInto("job_steps").values({ job_id: job.id, step, started_at: Date.now() }).onConflict((oc) => oc.doNothing()).execute();
}

/** Records that a step finished, so a restart resumes after it; false when the job is no longer ours. */
export async function finishStep(db: Kysely<Database>, job: Held, step: string | null, logTail?: string): Promise<boolean> {
  const r = await held(db, job).set({ last_step: step, ...(logTail === undefined ? {} : { log_tail: logTail }) }).executeTakeFirst();
  if (step) await db.updateTable("job_steps").set({ finished_at: Date.now() }).where("job_id", "=", job.id).where("step", "=", step).where("finished_at", "is", null).execute();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a job done. */
export async function completeJob(db: Kysely<Database>, job: Held, now: number): Promise<boolean> {
  const r = await held(db, job).set({ state: "succeeded", current_step: null, locked_at: null, locked_by: null, finished_at: now }).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a job failed with its error (redacted by the caller) and, if given, its log tail. */
export async function failJob(db: Kysely<Database>, job: Held, now: number, error: string, logTail?: string): Promise<boolean> {
  const r = await held(db, job).set({
    state: "failed", locked_at: null, locked_by: null, finished_at: now, last_error: error, ...(logTail === undefined ? {} : { log_tail: logTail }),
  }).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Puts a failed attempt back in the queue to run at `runAt`, keeping its last finished step. */
export async function retryJobLater(db: Kysely<Database>, job: Held, runAt: number, error: string): Promise<boolean> {
  const r = await held(db, job).set({ state: "queued", locked_at: null, locked_by: null, run_at: runAt, last_error: error, current_step: null }).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Cancels a running job held by this worker (its work is moot). */
export async function cancelHeldJob(db: Kysely<Database>, job: Held, now: number, why: string): Promise<boolean> {
  const r = await held(db, job).set({ state: "cancelled", current_step: null, locked_at: null, locked_by: null, finished_at: now, last_error: why }).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Cancels a cluster's queued jobs of the given kinds (a delete makes them moot); running ones are aborted by the queue. */
export async function cancelQueuedJobs(db: Kysely<Database>, clusterId: string, kinds: readonly JobKind[], now: number): Promise<number> {
  const r = await db.updateTable("jobs").set({ state: "cancelled", finished_at: now, last_error: "cancelled: the cluster is being deleted" })
    .where("cluster_id", "=", clusterId).where("kind", "in", kinds).where("state", "=", "queued").executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** On boot: jobs left running by a dead process go back to the queue, keeping their last finished step. */
export async function resetStaleLocks(db: Kysely<Database>, worker: string): Promise<number> {
  const r = await db.updateTable("jobs").set({ state: "queued", locked_at: null, locked_by: null })
    .where("state", "=", "running").where((eb) => eb.or([eb("locked_by", "is", null), eb("locked_by", "!=", worker)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Jobs waiting or running, oldest first. */
export async function activeJobs(db: Kysely<Database>): Promise<Job[]> {
  return db.selectFrom("jobs").selectAll().where("state", "in", ["queued", "running"]).orderBy("id").execute();
}

/** What choosing the next job needs to know of one (fair order, lanes, class sessions). */
const SLOT_COLUMNS = ["id", "kind", "state", "cluster_id", "created_at", "owner", "tenant", "session_id", "run_at"] as const;
export type JobSlot = Pick<Job, typeof SLOT_COLUMNS[number]>;

/**
 * The jobs a pump chooses from, as slots only (a queue of a thousand deliveries waiting for Slack's limits must not
 * cost a thousand whole rows each time a job ends), in one query: every running job, and the queued ones due by
 * `now`, of the lane's kinds (all kinds without a lane).
 */
export async function runnableJobs(db: Kysely<Database>, now: number, lane?: { kinds: readonly JobKind[]; not?: boolean }): Promise<{ running: JobSlot[]; due: JobSlot[] }> {
  const rows = await db.selectFrom("jobs").select(SLOT_COLUMNS).where((eb) => eb.or([
    eb("state", "=", "running"),
    eb.and([eb("state", "=", "queued"), eb("run_at", "<=", now), ...(lane ? [eb("kind", lane.not ? "not in" : "in", lane.kinds)] : [])]),
  ])).orderBy("id").execute();
  return { running: rows.filter((r) => r.state === "running"), due: rows.filter((r) => r.state === "queued") };
}

/** How many jobs are queued and running (for the gauges), and the earliest run_at after `now` of a queued one. */
export async function queueSummary(db: Kysely<Database>, now: number): Promise<{ queued: number; running: number; nextRunAt?: number }> {
  const rows = await db.selectFrom("jobs").select(["state", (eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.min<number | null>(eb.case().when("run_at", ">", now).then(eb.ref("run_at")).end()).as("next")])
    .where("state", "in", ["queued", "running"]).groupBy("state").execute();
  const of = (s: string) => rows.find((r) => r.state === s);
  return { queued: Number(of("queued")?.n ?? 0), running: Number(of("running")?.n ?? 0), nextRunAt: of("queued")?.next ?? undefined };
}

/** A cluster's jobs of these kinds that are queued or running. */
export async function activeJobsOf(db: Kysely<Database>, clusterId: string, kinds: readonly JobKind[]): Promise<Job[]> {
  return db.selectFrom("jobs").selectAll().where("cluster_id", "=", clusterId).where("kind", "in", kinds)
    .where("state", "in", ["queued", "running"]).orderBy("id").execute();
}

/** How many jobs of a kind a cluster has had (for per-attempt dedupe keys). */
export async function countJobs(db: Kysely<Database>, clusterId: string, kind: JobKind): Promise<number> {
  const r = await db.selectFrom("jobs").select((eb) => eb.fn.countAll<number>().as("n")).where("cluster_id", "=", clusterId).where("kind", "=", kind).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The newest job of a kind for a cluster. */
export async function latestJob(db: Kysely<Database>, clusterId: string, kind?: JobKind): Promise<Job | undefined> {
  let q = db.selectFrom("jobs").selectAll().where("cluster_id", "=", clusterId);
  if (kind) q = q.where("kind", "=", kind);
  return q.orderBy("id", "desc").executeTakeFirst();
}
