/**
 * Retry of a failed cluster. When the failed run's VMs were kept (`infra.keep_failed`), the new attempt resumes
 * at the step that failed; when they were cleaned up, it starts over. After a failed delete, it deletes again.
 */
import type { Kysely } from "kysely";
import type { App } from "./app.ts";
import type { Cluster, Database, Job } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, failure, refuse, refused, type Check, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { activeJobsOf, countJobs } from "../jobs/repo.ts";
import { audit } from "../audit.ts";
import { PROVISION_STEPS, STEP_LABELS, type ProvisionStep } from "../provisioning/driver.ts";
import { getCluster, nodesOf } from "./repo.ts";
import { reserveAndQueue } from "./reserve.ts";
import { confirmDelete } from "./delete.ts";

/**
 * The step a new attempt may start after: the failed job's last finished step, but only when the run's VMs
 * are still there intact (the pipeline forgets the nodes before it cleans up), and never after `apply` is undone.
 */
export function resumeAfter(c: Pick<Cluster, "nodes">, failed: Pick<Job, "kind" | "state" | "last_step"> | undefined): ProvisionStep | undefined {
  if (!failed || failed.kind !== "provision" || failed.state !== "failed") return undefined;
  const step = failed.last_step as ProvisionStep | null;
  if (!step || !PROVISION_STEPS.includes(step) || nodesOf(c).length === 0) return undefined;
  return PROVISION_STEPS.indexOf(step) >= PROVISION_STEPS.indexOf("apply") ? step : undefined;
}

/** Queues a failed cluster again, re-checking quotas and reserving IPs (the kept block, if any) like an approval does. */
export async function retryCluster(app: App, p: Principal, clusterId: string): Promise<Outcome> {
  const c = await getCluster(app.db.k, clusterId);
  if (!c) return refuse("cluster.not_found", "that cluster no longer exists");
  const allowed = requireOwnerOr(p, c, "ta", `retry ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "failed") return refuse("cluster.not_failed", `${c.name} is ${c.state.replace("_", " ")}, so there is nothing to retry`);
  const last = await latestInfraJob(app, c.id);
  if (last?.kind === "destroy") return confirmDelete(app, p, c.id, "retry of a failed delete");
  const resume = resumeAfter(c, last);
  const result = await transact(app.db, async (trx): Promise<Check> => {
    // The clean-up of the failed run frees this cluster's IPs: a new attempt must not take them first.
    if ((await activeJobsOf(trx, c.id, ["cleanup", "destroy"])).length > 0) {
      return failure("cluster.cleaning_up", `the failed run of ${c.name} is still being cleaned up; Retry once its thread says the clean-up is done`);
    }
    const attempt = (await countJobs(trx, c.id, "provision")) + 1;
    const queued = await reserveAndQueue(app, trx, c, "retry");
    if (queued.ok && resume) await startAfter(trx, `provision:${c.id}:${attempt}`, resume);
    return queued;
  }, (r) => r.ok);
  const now = app.clock.now();
  const from = resume ? PROVISION_STEPS[PROVISION_STEPS.indexOf(resume) + 1] : undefined;
  await audit(app.db.k, now, {
    actor: p, tenant: c.tenant, action: "cluster.retry", target: c.name, outcome: result.ok ? "ok" : "failure",
    detail: result.ok ? (from ? `resume at ${from}` : "start over") : result.code,
  });
  if (!result.ok) return refuse(result.code, result.message);
  const how = from ? `resumes at “${STEP_LABELS[from]}” on the VMs the failed run kept` : "starts over";
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "↻ Retrying", text: `${app.directory.label(p.identity)} queued a new attempt; it ${how}.` });
  app.jobs.pump();
  return done({ title: `Retrying ${c.name}`, text: `It is queued again and ${how}; progress appears in its thread.` });
}

/** The newest provision, clean-up or destroy job of a cluster (deliveries say nothing about what to retry). */
async function latestInfraJob(app: App, clusterId: string): Promise<Job | undefined> {
  return app.db.k.selectFrom("jobs").selectAll().where("cluster_id", "=", clusterId).where("kind", "in", ["provision", "destroy"]).orderBy("id", "desc").executeTakeFirst();
}

/** Marks a new provision job as having finished `step`, so the pipeline starts after it. */
async function startAfter(trx: Kysely<Database>, dedupeKey: string, step: ProvisionStep): Promise<void> {
  await trx.updateTable("jobs").set({ last_step: step }).where("dedupe_key", "=", dedupeKey).where("attempts", "=", 0).execute();
}
