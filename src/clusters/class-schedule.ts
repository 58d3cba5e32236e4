/** When a class session's provisioning must begin so every cluster is ready by the lab's start. */

export interface SchedulePlan {
  /** How long provisioning the whole session is expected to take (waves × one cluster, plus the margin). */
  estimateMs: number;
  /** When the provision jobs may start. */
  provisionAt: number;
  /** When the last cluster is expected to be ready. */
  readyBy: number;
  /** Clusters provisioned at once: `max_parallel_jobs - 1` (the slot a session leaves to others), at least 1. */
  slots: number;
  /** False when even starting now the estimate ends after the lab starts. */
  inTime: boolean;
}

/** Extra time on top of the estimate: a tenth of it, at least a minute, because measured runs vary. */
export function marginOf(ms: number): number {
  return Math.max(60_000, Math.ceil(ms / 10));
}

/**
 * Plans `count` clusters of `perClusterMs` each on a queue of `maxParallel` slots to be ready by `startsAt`:
 * provisioning starts early enough, but never before `now`; if that is too late, the plan says so.
 */
export function planSession(count: number, perClusterMs: number, maxParallel: number, startsAt: number, now: number): SchedulePlan {
  const slots = Math.max(1, maxParallel - 1);
  const waves = Math.ceil(count / slots);
  const work = waves * perClusterMs;
  const estimateMs = work + marginOf(work);
  const provisionAt = Math.max(now, startsAt - estimateMs);
  return { estimateMs, provisionAt, readyBy: provisionAt + work, slots, inTime: startsAt - estimateMs >= now };
}
