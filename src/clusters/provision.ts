/**
 * The provision job: runs the driver's steps in order, persisting each finished step so a restart resumes after it.
 * It ends with the `ready` transition (which queues the kubeconfig delivery) or the `fail` transition (which queues
 * the clean-up); a delete aborts it at once, and every transition is guarded, so a deleted cluster never becomes ready.
 */
import type PQueue from "p-queue";
import type { App } from "./app.ts";
import type { Cluster, Job } from "../db/schema.ts";
import { nodesOf, setNodes } from "./repo.ts";
import { enqueueJob, finishStep, startStep } from "../jobs/repo.ts";
import { JobCancelled, JobFailure, Shutdown } from "../jobs/errors.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { transact } from "../db/tx.ts";
import { audit } from "../audit.ts";
import { PROVISION_STEPS, STEP_LABELS, StepError, type ClusterSpec, type NodeInfo, type ProvisionStep, type StepContext } from "../provisioning/driver.ts";
import { ClusterDeleted, move } from "./lifecycle.ts";
import { specOf } from "./spec.ts";
import { StepLog } from "./step-log.ts";
import { STEP_TIMEOUT_MS } from "./step-timeouts.ts";
import { recordStepDuration } from "./provision-estimate.ts";

/** The runner for provision jobs; `clones` bounds how many applies clone VMs at once. */
export function provisionRunner(app: App, clones: PQueue): JobRunner {
  return async (job, signal) => {
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    const log = new StepLog(app.redactor, job.log_tail);
    let step: ProvisionStep | undefined;
    try {
      const begun = await transact(app.db, (trx) => move(trx, job.cluster_id, "begin", app.clock.now()), (m) => m.ok);
      if (!begun.ok) return endedBeforeRestart(job, begun.state);
      const cluster = begun.cluster;
      const spec = await specOf(app, cluster);
      let nodes = nodesOf(cluster);
      const start = job.last_step ? PROVISION_STEPS.indexOf(job.last_step as ProvisionStep) + 1 : 0;
      if (start > 0) log.add(`resuming after ${job.last_step}`);
      for (step of PROVISION_STEPS.slice(start)) {
        signal.throwIfAborted();
        await startStep(app.db.k, job, step);
        app.notifier.clusterChanged(cluster.id);
        const began = performance.now();
        const beganAt = app.clock.now();
        const result = await runStep(app, clones, step, cluster, spec, nodes, log, signal);
        if (result) nodes = result;
        const seconds = (performance.now() - began) / 1000;
        app.metrics.stepDuration.observe({ step, driver: app.driver.name, outcome: "ok" }, seconds);
        // The reply is saved before the step is recorded, so a crash after the record cannot lose it.
        app.notifier.thread(cluster.id, { title: `✓ ${STEP_LABELS[step]}`, text: `${stepSummary(step, nodes)} (${seconds.toFixed(1)} s)`, tone: "info" }, { routine: true });
        if (!(await finishStep(app.db.k, job, step, log.tail()))) throw new JobCancelled("the job was taken over");
        // Class sessions plan their start from these figures.
        await recordStepDuration(app.db.k, job.id, step, cluster.size, cluster.workers, app.clock.now() - beganAt, app.clock.now());
      }
      step = undefined;
      signal.throwIfAborted();
      await becomeReady(app, job, cluster);
    } catch (err) {
      throw await provisionFailed(app, job, step, err, log, signal);
    } finally {
      release();
    }
  };
}

/**
 * A provision that cannot begin: if an earlier attempt of this very job already moved the cluster to ready or failed
 * (the process died before the job's outcome was written), record that outcome; otherwise the job is moot.
 */
function endedBeforeRestart(job: Job, state: string | undefined): void {
  const resumed = job.attempts > 1;
  if (resumed && state === "ready" && job.last_step === PROVISION_STEPS.at(-1)) return;
  if (resumed && state === "failed") throw new JobFailure("the run failed before labforge restarted");
  throw new JobCancelled(`not provisioned: the cluster is ${state ?? "gone"}`);
}

/** The `ready` transition with its delivery job and audit row, in one transaction; a rebuild keeps its expiry. */
async function becomeReady(app: App, job: Job, cluster: Cluster): Promise<void> {
  const now = app.clock.now();
  const rebuilt = job.payload !== null && (JSON.parse(job.payload) as { rebuild?: boolean }).rebuild === true && cluster.expires_at !== null;
  const expiry = rebuilt ? { expires_at: cluster.expires_at } : { expires_at: now + cluster.ttl_ms, reminded_at: null };
  const readied = await transact(app.db, async (trx) => {
    const m = await move(trx, cluster.id, "ready", now, { ready_at: now, ...expiry, failure: null, started_at: now, auto_stop_at: null, auto_stop_warned_at: null });
    if (!m.ok) return m;
    await enqueueJob(trx, {
      kind: "deliver", clusterId: cluster.id, tenant: cluster.tenant, owner: cluster.owner, now,
      dedupeKey: `deliver:${cluster.id}:${job.id}`, maxAttempts: 3, payload: { identity: cluster.owner },
    });
    await audit(trx, now, { actor: "labforge", tenant: cluster.tenant, action: "cluster.ready", target: cluster.name });
    return m;
  }, (m) => m.ok);
  if (!readied.ok) throw new JobCancelled(`not made ready: ${readied.message}`);
  app.notifier.clusterChanged(cluster.id);
  app.jobs.pump();
}

/** Runs one step; returns the nodes when the step produced them. */
async function runStep(app: App, clones: PQueue, step: ProvisionStep, cluster: Cluster, spec: ClusterSpec, nodes: NodeInfo[],
  log: StepLog, jobSignal: AbortSignal): Promise<NodeInfo[] | void> {
  const signal = AbortSignal.any([jobSignal, AbortSignal.timeout(STEP_TIMEOUT_MS[step])]);
  const ctx: StepContext = { signal, log: (l) => log.add(l), progress: (d) => log.add(`… ${d}`) };
  switch (step) {
    case "prepare": return app.driver.prepare(spec, ctx);
    case "apply": {
      const applied = await clones.add(() => app.driver.apply(spec, ctx), { signal });
      await setNodes(app.db.k, cluster.id, applied);
      return applied;
    }
    case "wait_ssh": return app.driver.waitForSsh(spec, nodes, ctx);
    case "configure": return app.driver.configure(spec, nodes, ctx);
    case "kubeconfig": {
      const kubeconfig = await app.driver.fetchKubeconfig(spec, nodes, ctx);
      await app.kubeconfigs.save(cluster.id, kubeconfig, app.clock.now());
      return;
    }
  }
}

/**
 * Turns what stopped a provision into the error its job ends with. A shutdown leaves the job to resume, a delete
 * cancels it; a real failure is the `fail` transition with its clean-up job, then a thread reply and a DM.
 */
async function provisionFailed(app: App, job: Job, step: ProvisionStep | undefined, err: unknown, log: StepLog, signal: AbortSignal): Promise<Error> {
  if (signal.reason instanceof Shutdown) return signal.reason;
  if (signal.reason instanceof ClusterDeleted) return new JobCancelled("cancelled: the cluster is being deleted");
  // Already an outcome: a resumed job whose run failed before the restart (endedBeforeRestart) ends failed, as it did.
  if (err instanceof JobCancelled || err instanceof JobFailure) return err;
  const now = app.clock.now();
  const timedOut = err instanceof DOMException && err.name === "TimeoutError";
  const reason = app.redactor.redact(timedOut ? `timed out after ${STEP_TIMEOUT_MS[step ?? "prepare"] / 60_000} minutes` : err instanceof Error ? err.message : String(err));
  if (!(err instanceof StepError)) app.log.error({ err, job: job.id, step }, "provisioning step crashed");
  if (err instanceof StepError) err.logTail.forEach((l) => log.add(l));
  const label = step ? STEP_LABELS[step] : "Starting";
  if (step) app.metrics.stepDuration.observe({ step, driver: app.driver.name, outcome: "failed" }, 0);
  const cleanUp = !app.config.infra.keep_failed;
  const failed = await transact(app.db, async (trx) => {
    const m = await move(trx, job.cluster_id, "fail", now, { failure: `Failed at “${label}”: ${reason}` });
    if (!m.ok) return m;
    if (cleanUp) {
      await enqueueJob(trx, { kind: "cleanup", clusterId: m.cluster.id, tenant: m.cluster.tenant, owner: m.cluster.owner, now, dedupeKey: `cleanup:${m.cluster.id}:${job.id}`, maxAttempts: 3 });
    }
    await audit(trx, now, { actor: "labforge", tenant: m.cluster.tenant, action: "cluster.failed", target: m.cluster.name, outcome: "error", detail: `${step}: ${reason}` });
    return m;
  }, (m) => m.ok);
  if (!failed.ok) return new JobCancelled(`not failed: ${failed.message}`);
  const c = failed.cluster;
  app.notifier.thread(c.id, {
    title: `✗ ${label} failed`, text: cleanUp ? `${reason}\nCleaning up what the run made; Retry appears here when that is done.` : reason,
    code: log.tail(12), tone: "error",
    buttons: cleanUp ? undefined : [{ label: "Retry", action: "retry", value: c.id, style: "primary" }],
  });
  app.notifier.clusterChanged(c.id);
  const retry = cleanUp ? "a Retry button once what the run made is cleaned up" : "a Retry button";
  void app.notifier.notify(c.owner, { title: `${c.name} failed`, text: `Provisioning stopped at “${label}”: ${reason}. The thread under the cluster's message has the details and ${retry}.`, tone: "error" });
  app.jobs.pump();
  return new JobFailure(reason, { logTail: log.tail() });
}

function stepSummary(step: ProvisionStep, nodes: NodeInfo[]): string {
  switch (step) {
    case "prepare": return "workspace ready";
    case "apply": return `${nodes.length} VM${nodes.length === 1 ? "" : "s"}: ${nodes.map((n) => `${n.name} ${n.ip}`).join(", ")}`;
    case "wait_ssh": return "all nodes answer SSH";
    case "configure": return "kubeadm cluster up, workers joined";
    case "kubeconfig": return "admin kubeconfig stored (encrypted)";
  }
}
