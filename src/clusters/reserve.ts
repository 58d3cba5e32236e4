/** Moves a cluster into the queue: quota re-check, IP block and provision job in one transaction. */
import type { Kysely } from "kysely";
import type { App } from "./app.ts";
import type { Cluster, Database } from "../db/schema.ts";
import { allocateBlock } from "../ippool/pool.ts";
import { enqueueJob } from "../jobs/repo.ts";
import { failure, OK, type Check } from "../kernel/outcome.ts";
import { checkPerUser, checkQuota, usageOf, userClusterCount } from "./quota.ts";

/**
 * Inside `trx`: checks quotas again (they may have changed since the request), reserves a contiguous
 * IP block, marks the cluster queued and inserts its provision job (deduplicated per attempt).
 */
export async function reserveAndQueue(app: App, trx: Kysely<Database>, cluster: Cluster, attempt = 1): Promise<Check> {
  const tenant = app.config.tenants[cluster.tenant];
  if (!tenant) return failure("tenant.unknown", `tenant ${cluster.tenant} is no longer configured`);
  const quota = checkQuota(cluster.tenant, tenant, await usageOf(trx, cluster.tenant, cluster.id), cluster);
  if (!quota.ok) return quota;
  const perUser = checkPerUser(cluster.tenant, tenant, await userClusterCount(trx, cluster.tenant, cluster.owner, cluster.id));
  if (!perUser.ok) return perUser;
  const now = app.clock.now();
  const block = await allocateBlock(trx, app.config.network.pool, cluster.id, cluster.workers + 1, now);
  if (!block.ok) {
    return failure("ippool.exhausted",
      `the department's IP pool has no block of ${cluster.workers + 1} free addresses (${block.free} free, largest block ${block.largestBlock}); try fewer workers or ask an admin`);
  }
  await trx.updateTable("clusters").set({ state: "queued", failure: null, updated_at: now }).where("id", "=", cluster.id).execute();
  const suffix = attempt > 1 ? `:${attempt}` : "";
  await enqueueJob(trx, { kind: "provision", clusterId: cluster.id, tenant: cluster.tenant, owner: cluster.owner, dedupeKey: `provision:${cluster.id}${suffix}`, now });
  return OK;
}
