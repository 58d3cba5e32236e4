/** `create <name> [workers=N] [size=…] [ttl=…] [tenant=…]`: request a cluster, checked against limits and quotas. */
import { sizeConfig, tenantConfig } from "../config/lookup.ts";
import type { CommandHandler } from "./context.ts";
import { tenantOf } from "./context.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { hasRole, requireRole } from "../tenants/rbac.ts";
import type { Check } from "../kernel/outcome.ts";
import { checkPerUser, checkQuota, usageOf, userClusterCount } from "../clusters/quota.ts";
import { findLiveCluster } from "../clusters/repo.ts";
import { reserveAndQueue } from "../clusters/reserve.ts";
import { postApprovalCards } from "../clusters/approvals/post.ts";
import { queuePosition } from "../clusters/queue-position.ts";
import { formatDuration, parseDuration } from "../config/duration.ts";
import { transact } from "../db/tx.ts";
import { newClusterId } from "../util/ids.ts";
import { audit } from "../audit.ts";
import { insertCluster } from "../clusters/lifecycle.ts";

type Created = Check & { requestId?: number; clusterId?: string };

export const create: CommandHandler = async (ctx) => {
  const { app, principal, cmd } = ctx;
  const t = tenantOf(ctx);
  if (!t.ok) return t.outcome;
  const tenantId = t.tenant;
  const tenant = tenantConfig(app.config, tenantId)!; // tenantOf resolved a configured tenant
  const role = requireRole(principal, tenantId, "student", `create clusters in ${tenantId}`);
  if (!role.ok) return refused(role);

  const name = cmd.args.name!;
  const workers = (cmd.options.workers as number | undefined) ?? Math.min(1, tenant.limits.max_workers);
  if (workers > tenant.limits.max_workers) {
    return refuse("limits.max_workers", `workers=${workers} is out of range: ${tenantId} allows 0 to ${tenant.limits.max_workers} workers`);
  }
  const sizeName = (cmd.options.size as string | undefined) ?? "small";
  const size = sizeConfig(app.config, sizeName)!; // the parser accepts configured sizes only
  const ttlMs = cmd.options.ttl ? parseDuration(cmd.options.ttl as string)! : tenant.limits.default_ttl;
  if (ttlMs > tenant.limits.max_ttl) {
    return refuse("limits.max_ttl", `ttl=${cmd.options.ttl} is out of range: ${tenantId} allows lifetimes up to ${formatDuration(tenant.limits.max_ttl)}`);
  }
  const needsApproval = tenant.approvals === "everyone" ? !principal.admin
    : tenant.approvals === "students" ? !hasRole(principal, tenantId, "ta") : false;

  const now = app.clock.now();
  const cluster = {
    id: newClusterId(), tenant: tenantId, name, owner: principal.identity,
    workers, size: sizeName, vcpus: size.vcpus, memory_mb: size.memory_mb, disk_gb: size.disk_gb, ttl_ms: ttlMs,
    channel: ctx.where.channel, root_ref: null, nodes: null, expires_at: null, ready_at: null, failure: null, created_at: now, updated_at: now,
  };

  const result = await transact(app.db, async (trx): Promise<Created> => {
    if (await findLiveCluster(trx, tenantId, name)) return { ok: false, code: "cluster.exists", message: `${tenantId} already has a cluster named ${name}; pick another name` };
    const perUser = checkPerUser(tenantId, tenant, await userClusterCount(trx, tenantId, principal.identities));
    if (!perUser.ok) return perUser;
    const quota = checkQuota(tenantId, tenant, await usageOf(trx, tenantId), cluster);
    if (!quota.ok) return quota;
    const inserted = await insertCluster(trx, cluster);
    if (!needsApproval) return { ...(await reserveAndQueue(app, trx, inserted, "approve")), clusterId: cluster.id };
    const tenantTimeout = tenant.approval_timeout;
    const r = await trx.insertInto("requests").values({
      cluster_id: cluster.id, tenant: tenantId, requester: principal.identity, state: "pending",
      decided_by: null, decided_at: null, reason: null, lapses_at: now + tenantTimeout, card_refs: null, created_at: now,
    }).executeTakeFirstOrThrow();
    return { ok: true, requestId: Number(r.insertId), clusterId: cluster.id };
  }, (r) => r.ok);

  await audit(app.db.k, now, {
    actor: principal, tenant: tenantId, action: "cluster.create", target: name,
    outcome: result.ok ? "ok" : "failure", detail: result.ok ? `workers=${workers} size=${sizeName} ttl=${formatDuration(ttlMs)}` : result.code,
  });
  if (!result.ok) return refuse(result.code, result.message);
  app.notifier.clusterChanged(cluster.id);
  if (result.requestId !== undefined) {
    await postApprovalCards(app, result.requestId);
    return done({
      title: `Request #${result.requestId} sent`,
      text: `${name} (${workers === 0 ? "control plane only" : `1 + ${workers} ${sizeName} nodes`}, ${formatDuration(ttlMs)}) waits for an instructor or TA of ${tenantId} to approve. You will get a direct message with the decision.`,
      tone: "info",
    });
  }
  app.jobs.pump();
  return queued(name, await queuePosition(app, cluster.id));
};

function queued(name: string, position: number | undefined): Outcome {
  return done({
    title: `${name} is queued`,
    text: `${position ? `Position ${position} in the queue. ` : ""}Progress appears in the thread under its message; the kubeconfig will arrive by direct message.`,
    tone: "success",
  });
}
