/** How long provisioning takes: each finished step's duration is recorded per size, and recent runs give the estimate. */
import { sql, type Kysely } from "kysely";
import type { App } from "./app.ts";
import type { Database } from "../db/schema.ts";
import { PROVISION_STEPS } from "../provisioning/driver.ts";

/** Used when nothing of this size has been provisioned yet and the driver is not the simulated one: a cautious guess. */
export const UNMEASURED_PROVISION_MS = 20 * 60_000;
/** How many recent complete runs the estimate looks at. */
const RECENT_RUNS = 10;

/** Records how long one provision step took (a step run again after a restart replaces its earlier figure). */
export async function recordStepDuration(db: Kysely<Database>, jobId: number, step: string, size: string, workers: number, ms: number, at: number): Promise<void> {
  await db.insertInto("step_durations").values({ job_id: jobId, step, size, workers, ms: Math.max(0, Math.round(ms)), at })
    .onConflict((oc) => oc.columns(["job_id", "step"]).doUpdateSet({ ms: Math.max(0, Math.round(ms)), at })).execute();
}

export interface ProvisionEstimate {
  /** Milliseconds one cluster of this shape takes from its first step to ready. */
  ms: number;
  /** What the figure rests on, for the instructor: "the slowest of 4 recent small provisions with 1 worker". */
  basis: string;
}

/**
 * The time one cluster takes: the slowest of the recent complete runs of this size and worker count (or of this size,
 * when that worker count has none), so a session planned from it is rather early than late; with no runs, the
 * simulated driver's configured step time or a cautious 20 minutes.
 */
export async function estimateProvisionMs(app: App, size: string, workers: number): Promise<ProvisionEstimate> {
  for (const sameWorkers of [true, false]) {
    let q = app.db.k.selectFrom("step_durations").select(["job_id", sql<number>`sum(ms)`.as("total"), sql<number>`max(at)`.as("last")])
      .where("size", "=", size);
    if (sameWorkers) q = q.where("workers", "=", workers);
    const runs = await q.groupBy("job_id").having(sql<number>`count(*)`, "=", PROVISION_STEPS.length)
      .orderBy("last", "desc").limit(RECENT_RUNS).execute();
    if (runs.length > 0) {
      const ms = Math.max(...runs.map((r) => Number(r.total)));
      const shape = sameWorkers ? `${size} provision${runs.length === 1 ? "" : "s"} with ${workers} worker${workers === 1 ? "" : "s"}` : `${size} provision${runs.length === 1 ? "" : "s"}`;
      return { ms, basis: `the slowest of ${runs.length} recent ${shape}` };
    }
  }
  if (app.driver.name === "simulated") {
    return { ms: PROVISION_STEPS.length * app.config.infra.simulated.step_ms, basis: "the simulated driver's step time; nothing measured yet" };
  }
  return { ms: UNMEASURED_PROVISION_MS, basis: "a cautious 20 minutes; nothing of this size measured yet" };
}
