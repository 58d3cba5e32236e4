/**
 * Jobs that take a cluster's VMs away: `cleanup` after a failed provision (the cluster stays failed, its IPs are
 * freed, Retry becomes possible) and `destroy` after a delete or expiry (the cluster becomes deleted). Both wait for
 * the cluster's lock, so a provision that a delete aborted has settled before anything is destroyed.
 */
import type { Kysely } from "kysely";
import type { App } from "./app.ts";
import type { Cluster, Database, Job } from "../db/schema.ts";
import { getCluster, setNodes } from "./repo.ts";
import { finishStep, startStep } from "../jobs/repo.ts";
import { JobCancelled, JobFailure, Shutdown } from "../jobs/errors.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { freeBlock } from "../ippool/pool.ts";
import { transact } from "../db/tx.ts";
import { audit } from "../audit.ts";
import { ClusterDeleted, move } from "./lifecycle.ts";
import { MOOT_ON_DELETE } from "./delete.ts";
import { specOf } from "./spec.ts";
import { StepLog } from "./step-log.ts";
import { STEP_TIMEOUT_MS } from "./step-timeouts.ts";

/** The runner for clean-up jobs: destroys what a failed run made and frees its IPs; the cluster stays failed. */
export function cleanupRunner(app: App): JobRunner {
  return async (job, signal) => {
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    const log = new StepLog(app.redactor, job.log_tail);
    try {
      const c = await getCluster(app.db.k, job.cluster_id);
      // Deleted meanwhile: the destroy job does the same work and owns the cluster now.
      if (!c || c.state !== "failed") throw new JobCancelled(`no clean-up: the cluster is ${c?.state ?? "gone"}`);
      await startStep(app.db.k, job, "cleanup");
      // Forget the nodes first: once clean-up has begun they are no longer intact, so a retry must start over.
      await setNodes(app.db.k, c.id, null);
      await destroyVms(app, c, log, signal);
      const now = app.clock.now();
      const freed = await transact(app.db, async (trx) => {
        const n = await freeBlock(trx, c.id);
        await audit(trx, now, { actor: "labforge", tenant: c.tenant, action: "cluster.cleanup", target: c.name, detail: `${n} IPs freed` });
        return n;
      }, () => true);
      await finishStep(app.db.k, job, "cleanup", log.tail());
      app.notifier.thread(c.id, {
        title: "✓ Cleaned up", text: `The failed run's VMs are destroyed and ${freed} IP address${freed === 1 ? "" : "es"} freed. Retry starts over.`,
        tone: "info", buttons: [{ label: "Retry", action: "retry", value: c.id, style: "primary" }],
      });
    } catch (err) {
      throw await settled(app, job, err, log, signal, "clean-up", (reason) => {
        app.notifier.thread(job.cluster_id, { title: "✗ Clean-up failed", text: `${reason}. Delete the cluster to try again.`, code: log.tail(12), tone: "error" });
      });
    } finally {
      release();
    }
  };
}

/** The runner for destroy jobs: stops whatever else runs for the cluster, destroys the VMs, frees everything. */
export function destroyRunner(app: App): JobRunner {
  return async (job, signal) => {
    // After a restart nothing runs here; otherwise this waits for an aborted provision to settle.
    await app.jobs.abortCluster(job.cluster_id, MOOT_ON_DELETE, new ClusterDeleted());
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    const log = new StepLog(app.redactor, job.log_tail);
    try {
      const c = await getCluster(app.db.k, job.cluster_id);
      // Destroyed by an earlier attempt of this job before the process died: only its outcome was not recorded.
      if (c?.state === "deleted" && job.attempts > 1) return;
      if (!c || (c.state !== "deleting" && c.state !== "expired")) throw new JobCancelled(`no destroy: the cluster is ${c?.state ?? "gone"}`);
      await startStep(app.db.k, job, "destroy");
      await destroyVms(app, c, log, signal);
      const now = app.clock.now();
      const done = await transact(app.db, async (trx) => {
        const m = await move(trx, c.id, "destroyed", now);
        if (!m.ok) return { ...m, freed: 0 };
        const freed = await releaseEverything(trx, c.id);
        await audit(trx, now, { actor: "labforge", tenant: c.tenant, action: "cluster.destroyed", target: c.name, detail: `${freed} IPs freed${c.state === "expired" ? " (expired)" : ""}` });
        return { ...m, freed };
      }, (m) => m.ok);
      if (!done.ok) throw new JobCancelled(`not destroyed: ${done.message}`);
      await finishStep(app.db.k, job, "destroy", log.tail());
      app.notifier.thread(c.id, { title: "✓ Deleted", text: `VMs destroyed and ${done.freed} IP address${done.freed === 1 ? "" : "es"} freed.`, tone: "info" }, { routine: true });
      app.notifier.clusterChanged(c.id);
    } catch (err) {
      throw await destroyFailed(app, job, err, log, signal);
    } finally {
      release();
    }
  };
}

/** Inside `trx`: frees the IPs, forgets the nodes, the kubeconfig and the namespace access records; returns the IPs freed. */
async function releaseEverything(trx: Kysely<Database>, clusterId: string): Promise<number> {
  const freed = await freeBlock(trx, clusterId);
  await setNodes(trx, clusterId, null);
  await trx.deleteFrom("kubeconfigs").where("cluster_id", "=", clusterId).execute();
  await trx.deleteFrom("namespace_access").where("cluster_id", "=", clusterId).execute();
  return freed;
}

async function destroyVms(app: App, c: Cluster, log: StepLog, jobSignal: AbortSignal): Promise<void> {
  const spec = await specOf(app, c);
  const signal = AbortSignal.any([jobSignal, AbortSignal.timeout(STEP_TIMEOUT_MS.destroy)]);
  await app.driver.destroy(spec, { signal, log: (l) => log.add(l), progress: (d) => log.add(`… ${d}`) });
}

/** A destroy that failed for good is the `destroy_failed` transition: the cluster is failed, and delete tries again. */
async function destroyFailed(app: App, job: Job, err: unknown, log: StepLog, signal: AbortSignal): Promise<Error> {
  return settled(app, job, err, log, signal, "destroy", async (reason) => {
    const now = app.clock.now();
    const m = await transact(app.db, (trx) => move(trx, job.cluster_id, "destroy_failed", now, { failure: `Delete failed: ${reason}. Run delete again to retry.` }), (r) => r.ok);
    if (!m.ok) return;
    app.notifier.thread(job.cluster_id, { title: "✗ Delete failed", text: reason, code: log.tail(12), tone: "error" });
    app.notifier.clusterChanged(job.cluster_id);
  });
}

/**
 * The error a tear-down job ends with: shutdown and cancellation pass through; a failure is retried while attempts
 * remain, and on the last one `onLastFailure` tells the user.
 */
async function settled(app: App, job: Job, err: unknown, log: StepLog, signal: AbortSignal, what: string,
  onLastFailure: (reason: string) => void | Promise<void>): Promise<Error> {
  if (signal.reason instanceof Shutdown) return signal.reason;
  if (err instanceof JobCancelled) return err;
  const reason = app.redactor.redact(err instanceof Error ? err.message : String(err));
  app.log.error({ err, job: job.id, cluster: job.cluster_id }, `${what} failed`);
  const last = job.attempts >= job.max_attempts;
  if (last) await onLastFailure(reason);
  return new JobFailure(reason, { retryable: !last, logTail: log.tail() });
}
