/** Queue positions as users see them: 1 is next to run. */
import type { App } from "./app.ts";
import { INFRA_KINDS, runnableJobs } from "../jobs/repo.ts";
import { fairOrder } from "../jobs/fair-order.ts";

/**
 * The 1-based position of a cluster's queued infrastructure job (what a queued cluster waits for) among those that
 * may start now, in the order the queue will start them; undefined when it is not waiting. Deliveries and other
 * short jobs run in their own lane and stand in nobody's way, so they are not counted.
 */
export async function queuePosition(app: App, clusterId: string): Promise<number | undefined> {
  const { running, due } = await runnableJobs(app.db.k, app.clock.now(), { kinds: INFRA_KINDS });
  const i = fairOrder(due, running).findIndex((j) => j.cluster_id === clusterId);
  return i < 0 ? undefined : i + 1;
}
