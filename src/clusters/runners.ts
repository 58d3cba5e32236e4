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

/** How long after its end a cluster's or session's root message is still brought up to date on start. */
const CATCH_UP_ENDED_MS = 86_400_000;

/**
 * On start, what a crash left of the chat traffic: root messages never posted (the process died first) or whose update
 * never landed get the current card (the notifier sends only cards that differ from the one shown), then thread
 * replies and DM notices saved but never handed to the platform are sent.
 */
export async function catchUpChat(app: App): Promise<void> {
  const recent = app.clock.now() - CATCH_UP_ENDED_MS;
  const clusters = await app.db.k.selectFrom("clusters").select("id")
    .where((eb) => eb.or([
      eb.and([eb("root_ref", "is", null), eb("state", "not in", ["deleted", "rejected"])]),
      // Posted by this labforge (an older one kept no digest) and still live, or ended within a day.
      eb.and([eb("root_shown", "is not", null), eb.or([eb("state", "not in", ["deleted", "rejected"]), eb("updated_at", ">", recent)])]),
    ])).execute();
  for (const c of clusters) app.notifier.clusterChanged(c.id);
  const sessions = await app.db.k.selectFrom("class_sessions").select("id").where("root_shown", "is not", null)
    .where((eb) => eb.or([eb("state", "=", "active"), eb("updated_at", ">", recent)])).execute();
  for (const s of sessions) app.notifier.sessionChanged(s.id);
  await app.notifier.resendSaved();
}
