/** Queues a day-2 job beside its transition: one job per request, deduplicated per attempt. */
import type { Kysely } from "kysely";
import type { Cluster, Database, JobKind } from "../db/schema.ts";
import { countJobs, enqueueJob } from "../jobs/repo.ts";
import { audit, type Actor } from "../audit.ts";
import { move, type Moved, type Transition, type TransitionFields } from "./lifecycle.ts";

/** How often each day-2 job may try: power changes are cheap to repeat, re-creating VMs is not. */
export const DAY2_ATTEMPTS: Record<"stop" | "start" | "scale" | "rebuild", number> = { stop: 3, start: 3, scale: 2, rebuild: 2 };

/**
 * Inside `trx`: applies `t` to the cluster, queues its `kind` job with `payload` and audits `actor`'s request.
 * Returns the move; the caller rolls back when it is refused.
 */
export async function moveAndQueue(trx: Kysely<Database>, c: Pick<Cluster, "id" | "tenant" | "owner" | "name">, t: Transition,
  kind: keyof typeof DAY2_ATTEMPTS & JobKind, actor: string | Actor, now: number, opts: { fields?: TransitionFields; payload?: unknown; detail?: string } = {}): Promise<Moved> {
  const m = await move(trx, c.id, t, now, opts.fields);
  if (!m.ok) return m;
  const n = await countJobs(trx, c.id, kind);
  await enqueueJob(trx, {
    kind, clusterId: c.id, tenant: c.tenant, owner: c.owner, now, dedupeKey: `${kind}:${c.id}:${n + 1}`,
    maxAttempts: DAY2_ATTEMPTS[kind], payload: opts.payload,
  });
  await audit(trx, now, { actor, tenant: c.tenant, action: `cluster.${kind}`, target: c.name, detail: opts.detail ?? null });
  return m;
}
