/** The runners for the lifecycle's job kinds (namespaces add their own for `ns_revoke`). */
import PQueue from "p-queue";
import type { JobKind } from "../db/schema.ts";
import type { JobRunner } from "../jobs/queue.ts";
import type { App } from "./app.ts";
import { provisionRunner } from "./provision.ts";
import { cleanupRunner, destroyRunner } from "./teardown.ts";
import { deliverRunner } from "./delivery.ts";
import { startRunner, stopRunner } from "./power.ts";
import { scaleRunner } from "./scale.ts";
import { rebuildRunner } from "./rebuild.ts";

/** One runner per lifecycle job kind; `max_parallel_clones` bounds the VM clones of all provisions together. */
export function lifecycleRunners(app: App): Partial<Record<JobKind, JobRunner>> {
  const clones = new PQueue({ concurrency: app.config.queue.max_parallel_clones });
  return {
    provision: provisionRunner(app, clones), cleanup: cleanupRunner(app), destroy: destroyRunner(app), deliver: deliverRunner(app),
    stop: stopRunner(app), start: startRunner(app), scale: scaleRunner(app), rebuild: rebuildRunner(app),
  };
}

/** On start: clusters whose root message was never posted (the process died first) get it now. */
export async function postMissingRootMessages(app: App): Promise<number> {
  const rows = await app.db.k.selectFrom("clusters").select("id").where("root_ref", "is", null)
    .where("state", "not in", ["deleted", "rejected"]).execute();
  for (const r of rows) app.notifier.clusterChanged(r.id);
  return rows.length;
}
