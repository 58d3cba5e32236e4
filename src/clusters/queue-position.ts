/** Queue positions as users see them: 1 is next to run. */
import type { App } from "./app.ts";

/** The 1-based position of a cluster's queued job, or undefined when it is not waiting. */
export async function queuePosition(app: App, clusterId: string): Promise<number | undefined> {
  const { queued } = await app.jobs.snapshot();
  const i = queued.findIndex((j) => j.cluster_id === clusterId);
  return i < 0 ? undefined : i + 1;
}
