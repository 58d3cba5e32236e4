/** Moves a cluster into the queue: quota re-check, IP block, the transition and its provision job in one transaction. */
import type { Kysely } from "kysely";
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster, Database } from "../db/schema.ts";
import { allocateBlock } from "../ippool/pool.ts";
import { countJobs, enqueueJob } from "../jobs/repo.ts";
import { failure, OK, type Check } from "../kernel/outcome.ts";
import { checkPerUser, checkQuota, usageOf, userClusterCount } from "./quota.ts";
import { asCheck, move } from "./lifecycle.ts";

/**
 * Inside `trx`: moves the cluster on with `approve` (a new request) or `retry` (a failed one), checks quotas again
 * (they may have changed since the request), reserves a contiguous IP block (the kept one, if any) and queues its
 * provision job (deduplicated per attempt), to start at `runAt` (a class session's planned start) or now, marked with
 * the cluster's class session for the queue's fair order. Roll the transaction back when this returns a failure.
 */
export async function reserveAndQueue(app: App, trx: Kysely<Database>, cluster: Cluster, transition: "approve" | "retry", runAt?: number): Promise<Check> {
  const tenant = tenantConfig(app.config, cluster.tenant);
  if (!tenant) return failure("tenant.unknown", `tenant ${cluster.tenant} is no longer configured`);
  const now = app.clock.now();
  const moved = await move(trx, cluster.id, transition, now, { failure: null });
  if (!moved.ok) return asCheck(moved);
  const quota = checkQuota(cluster.tenant, tenant, await usageOf(trx, cluster.tenant, cluster.id), cluster);
  if (!quota.ok) return quota;
  const owners = app.directory.identitiesOf(cluster.owner);
  const perUser = checkPerUser(cluster.tenant, tenant, await userClusterCount(trx, cluster.tenant, owners, cluster.id));
  if (!perUser.ok) return perUser;
  const block = await allocateBlock(trx, app.config.network.pool, cluster.id, cluster.workers + 1, now);
  if (!block.ok) {
    return failure("ippool.exhausted",
      `the department's IP pool has no block of ${cluster.workers + 1} free addresses (${block.free} free, largest block ${block.largestBlock}); try fewer workers or ask an admin`);
  }
  const attempt = (await countJobs(trx, cluster.id, "provision")) + 1;
  const suffix = attempt > 1 ? `:${attempt}` : "";
  await enqueueJob(trx, { kind: "provision", clusterId: cluster.id, tenant: cluster.tenant, owner: cluster.owner, dedupeKey: `provision:${cluster.id}${suffix}`, now,
    runAt: runAt !== undefined && runAt > now ? runAt : now, sessionId: cluster.session_id });
  return OK;
}
