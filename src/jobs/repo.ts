/** Persisted jobs: one function per state change (graphile-worker style). */
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
}

/** Inserts a job unless one with the same dedupe key exists; returns the job either way and whether it is new. */
export async function enqueueJob(db: Kysely<Database>, j: NewJob): Promise<{ job: Job; created: boolean }> {
  const inserted = await db.insertInto("jobs").values({
    kind: j.kind, cluster_id: j.clusterId, tenant: j.tenant, owner: j.owner, state: "queued",
    dedupe_key: j.dedupeKey, attempts: 0, max_attempts: j.maxAttempts ?? 1, run_at: j.now, created_at: j.now,
  }).onConflict((oc) => oc.column("dedupe_key").doNothing()).executeTakeFirst();
  const job = await db.selectFrom("jobs").selectAll().where("dedupe_key", "=", j.dedupeKey).executeTakeFirstOrThrow();
  return { job, created: Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 };
}

/** Moves a queued job to running under this worker; false if someone else took it first. */
export async function lockJob(db: Kysely<Database>, id: number, worker: string, now: number): Promise<boolean> {
  const r = await db.updateTable("jobs")
    .set((eb) => ({ state: "running", locked_at: now, locked_by: worker, attempts: eb("attempts", "+", 1) }))
    .where("id", "=", id).where("state", "=", "queued").executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records that a step started. */
export async function startStep(db: Kysely<Database>, id: number, step: string): Promise<void> {
  await db.updateTable("jobs").set({ current_step: step }).where("id", "=", id).execute();
}

/** Records that a step finished, so a restart resumes after it. */
export async function finishStep(db: Kysely<Database>, id: number, step: string, logTail: string): Promise<void> {
  await db.updateTable("jobs").set({ last_step: step, log_tail: logTail }).where("id", "=", id).execute();
}

/** Marks a job done. */
export async function completeJob(db: Kysely<Database>, id: number, now: number, logTail: string): Promise<void> {
  await db.updateTable("jobs")
    .set({ state: "succeeded", current_step: null, locked_at: null, locked_by: null, finished_at: now, log_tail: logTail })
    .where("id", "=", id).execute();
}

/** Marks a job failed with its error and (redacted) log tail. */
export async function failJob(db: Kysely<Database>, id: number, now: number, error: string, logTail: string): Promise<void> {
  await db.updateTable("jobs")
    .set({ state: "failed", locked_at: null, locked_by: null, finished_at: now, last_error: error, log_tail: logTail })
    .where("id", "=", id).execute();
}

/** Cancels a job that has not finished (its cluster is being deleted). */
export async function cancelJob(db: Kysely<Database>, id: number, now: number): Promise<void> {
  await db.updateTable("jobs").set({ state: "cancelled", locked_at: null, locked_by: null, finished_at: now })
    .where("id", "=", id).where("state", "in", ["queued", "running"]).execute();
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

/** The newest job of a kind for a cluster. */
export async function latestJob(db: Kysely<Database>, clusterId: string, kind?: JobKind): Promise<Job | undefined> {
  let q = db.selectFrom("jobs").selectAll().where("cluster_id", "=", clusterId);
  if (kind) q = q.where("kind", "=", kind);
  return q.orderBy("id", "desc").executeTakeFirst();
}
