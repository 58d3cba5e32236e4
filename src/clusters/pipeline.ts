/** Runs provision and destroy jobs step by step, persisting progress so a restart resumes after the last finished step. */
import PQueue from "p-queue";
import type { App } from "./app.ts";
import type { Cluster, Job } from "../db/schema.ts";
import { getCluster, nodesOf, setNodes, setState } from "./repo.ts";
import { sendKubeconfig } from "./deliver.ts";
import { freeBlock } from "../ippool/pool.ts";
import { cancelJob, completeJob, failJob, finishStep, startStep } from "../jobs/repo.ts";
import { Shutdown } from "../jobs/queue.ts";
import { audit } from "../audit.ts";
import { PROVISION_STEPS, STEP_LABELS, StepError, type ClusterSpec, type NodeInfo, type ProvisionStep, type StepContext } from "../provisioning/driver.ts";
import { specOf } from "./spec.ts";
import { StepLog } from "./step-log.ts";
import { STEP_TIMEOUT_MS } from "./step-timeouts.ts";

/** Raised inside a job when its cluster is being deleted. */
export class ClusterDeleted extends Error {
  constructor() { super("the cluster is being deleted"); }
}

export class Pipeline {
  private readonly clones: PQueue;

  constructor(private readonly app: App) {
    this.clones = new PQueue({ concurrency: app.config.queue.max_parallel_clones });
  }

  /** The JobRunner: dispatches on the job's kind. */
  run = async (job: Job, signal: AbortSignal): Promise<void> => {
    if (job.kind === "provision") await this.provision(job, signal);
    else await this.destroy(job, signal);
  };

  private async provision(job: Job, signal: AbortSignal): Promise<void> {
    const { app } = this;
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    const log = new StepLog(app.redactor, job.log_tail);
    let step: ProvisionStep | undefined;
    try {
      const cluster = await getCluster(app.db.k, job.cluster_id);
      if (!cluster || !["queued", "provisioning"].includes(cluster.state)) {
        await cancelJob(app.db.k, job.id, app.clock.now());
        return;
      }
      await setState(app.db.k, cluster.id, "provisioning", app.clock.now());
      const spec = await specOf(app, cluster);
      let nodes = nodesOf(cluster);
      const start = job.last_step ? PROVISION_STEPS.indexOf(job.last_step as ProvisionStep) + 1 : 0;
      if (start > 0) log.add(`resuming after ${job.last_step}`);
      for (step of PROVISION_STEPS.slice(start)) {
        signal.throwIfAborted();
        await startStep(app.db.k, job.id, step);
        app.notifier.clusterChanged(cluster.id);
        const began = performance.now();
        const result = await this.runStep(step, cluster, spec, nodes, log, signal);
        if (Array.isArray(result)) nodes = result;
        const seconds = (performance.now() - began) / 1000;
        app.metrics.stepDuration.observe({ step, driver: app.driver.name, outcome: "ok" }, seconds);
        await finishStep(app.db.k, job.id, step, log.tail());
        const summary = typeof result === "string" ? result : stepSummary(step, nodes);
        app.notifier.thread(cluster.id, { title: `✓ ${STEP_LABELS[step]}`, text: `${summary} (${seconds.toFixed(1)} s)`, tone: "info" });
      }
      const now = app.clock.now();
      await setState(app.db.k, cluster.id, "ready", now, { ready_at: now, expires_at: now + cluster.ttl_ms, failure: null });
      await completeJob(app.db.k, job.id, now, log.tail());
      await audit(app.db.k, now, { actor: "labforge", tenant: cluster.tenant, action: "cluster.ready", target: cluster.name });
      app.notifier.clusterChanged(cluster.id);
    } catch (err) {
      await this.onProvisionError(job, step, err, log, signal);
    } finally {
      release();
    }
  }

  /** Runs one step; returns the nodes when the step produced them, or a summary that replaces the usual one. */
  private async runStep(step: ProvisionStep, cluster: Cluster, spec: ClusterSpec, nodes: NodeInfo[], log: StepLog, jobSignal: AbortSignal): Promise<NodeInfo[] | string | void> {
    const { app } = this;
    const signal = AbortSignal.any([jobSignal, AbortSignal.timeout(STEP_TIMEOUT_MS[step])]);
    const ctx: StepContext = { signal, log: (l) => log.add(l), progress: (d) => log.add(`… ${d}`) };
    switch (step) {
      case "prepare": return app.driver.prepare(spec, ctx);
      case "apply": {
        const applied = await this.clones.add(() => app.driver.apply(spec, ctx), { signal });
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
      case "deliver": {
        const delivery = await sendKubeconfig(app, cluster, cluster.owner);
        if (delivery === "closed") return "the owner's direct messages are closed; they were told in the channel how to get the kubeconfig";
        if (delivery === "failed") return "the direct message could not be sent; the owner was told in the channel how to get the kubeconfig";
        if (delivery === "missing") throw new StepError("no kubeconfig was stored for this cluster");
        return;
      }
    }
  }

  private async onProvisionError(job: Job, step: ProvisionStep | undefined, err: unknown, log: StepLog, signal: AbortSignal): Promise<void> {
    const { app } = this;
    const now = app.clock.now();
    if (signal.reason instanceof Shutdown) return; // stays locked: the next start resumes it
    if (signal.reason instanceof ClusterDeleted) {
      await cancelJob(app.db.k, job.id, now);
      return;
    }
    const cluster = await getCluster(app.db.k, job.cluster_id);
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    const reason = app.redactor.redact(timedOut ? `timed out after ${STEP_TIMEOUT_MS[step ?? "prepare"] / 60_000} minutes` : err instanceof Error ? err.message : String(err));
    if (!(err instanceof StepError)) app.log.error({ err, job: job.id, step }, "provisioning step crashed");
    if (err instanceof StepError) err.logTail.forEach((l) => log.add(l));
    const label = step ? STEP_LABELS[step] : "Starting";
    if (step) app.metrics.stepDuration.observe({ step, driver: app.driver.name, outcome: "failed" }, 0);
    await failJob(app.db.k, job.id, now, reason, log.tail());
    if (!cluster) return;
    await setState(app.db.k, cluster.id, "failed", now, { failure: `Failed at “${label}”: ${reason}` });
    await audit(app.db.k, now, { actor: "labforge", tenant: cluster.tenant, action: "cluster.failed", target: cluster.name, outcome: "error", detail: `${step}: ${reason}` });
    app.notifier.thread(cluster.id, {
      title: `✗ ${label} failed`, text: reason, code: log.tail(12), tone: "error",
      buttons: [{ label: "Retry", action: "retry", value: cluster.id, style: "primary" }],
    });
    app.notifier.clusterChanged(cluster.id);
    void app.notifier.dm(cluster.owner, { title: `${cluster.name} failed`, text: `Provisioning stopped at “${label}”: ${reason}. The thread under the cluster's message has the details and a Retry button.`, tone: "error" });
    if (!app.config.infra.keep_failed) await this.cleanUp(cluster, log);
  }

  /** Destroys what a failed run made and frees its IPs; problems are logged on the job's tail. */
  private async cleanUp(cluster: Cluster, log: StepLog): Promise<void> {
    const { app } = this;
    try {
      const spec = await specOf(app, cluster);
      // Forget the nodes first: once clean-up has begun they are no longer intact, so a retry must start over.
      await setNodes(app.db.k, cluster.id, null);
      await app.driver.destroy(spec, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS.destroy), log: (l) => log.add(l), progress: () => {} });
      await freeBlock(app.db.k, cluster.id);
    } catch (e) {
      app.log.error({ err: e, cluster: cluster.id }, "clean-up after a failed run failed; delete the cluster to try again");
    }
  }

  private async destroy(job: Job, signal: AbortSignal): Promise<void> {
    const { app } = this;
    const log = new StepLog(app.redactor, job.log_tail);
    const running = await app.db.k.selectFrom("jobs").select("id").where("cluster_id", "=", job.cluster_id)
      .where("kind", "=", "provision").where("state", "in", ["queued", "running"]).execute();
    for (const r of running) {
      if (!app.jobs.abort(r.id, new ClusterDeleted())) await cancelJob(app.db.k, r.id, app.clock.now());
    }
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    try {
      const cluster = await getCluster(app.db.k, job.cluster_id);
      if (!cluster) { await cancelJob(app.db.k, job.id, app.clock.now()); return; }
      await startStep(app.db.k, job.id, "destroy");
      const spec = await specOf(app, cluster);
      const signalWithTimeout = AbortSignal.any([signal, AbortSignal.timeout(STEP_TIMEOUT_MS.destroy)]);
      await app.driver.destroy(spec, { signal: signalWithTimeout, log: (l) => log.add(l), progress: (d) => log.add(`… ${d}`) });
      const freed = await freeBlock(app.db.k, cluster.id);
      await app.kubeconfigs.remove(cluster.id);
      await setNodes(app.db.k, cluster.id, null);
      const now = app.clock.now();
      const final = cluster.state === "expired" ? "expired" : "deleted";
      await setState(app.db.k, cluster.id, "deleted", now);
      await finishStep(app.db.k, job.id, "destroy", log.tail());
      await completeJob(app.db.k, job.id, now, log.tail());
      await audit(app.db.k, now, { actor: "labforge", tenant: cluster.tenant, action: "cluster.destroyed", target: cluster.name, detail: `${freed} IPs freed${final === "expired" ? " (expired)" : ""}` });
      app.notifier.thread(cluster.id, { title: "✓ Deleted", text: `VMs destroyed and ${freed} IP address${freed === 1 ? "" : "es"} freed.`, tone: "info" });
      app.notifier.clusterChanged(cluster.id);
    } catch (err) {
      if (signal.reason instanceof Shutdown) return;
      const reason = app.redactor.redact(err instanceof Error ? err.message : String(err));
      app.log.error({ err, job: job.id }, "destroy failed");
      const now = app.clock.now();
      await failJob(app.db.k, job.id, now, reason, log.tail());
      const cluster = await getCluster(app.db.k, job.cluster_id);
      if (cluster) {
        await setState(app.db.k, cluster.id, "failed", now, { failure: `Delete failed: ${reason}. Run delete again to retry.` });
        app.notifier.thread(cluster.id, { title: "✗ Delete failed", text: reason, code: log.tail(12), tone: "error" });
        app.notifier.clusterChanged(cluster.id);
      }
    } finally {
      release();
    }
  }
}

function stepSummary(step: ProvisionStep, nodes: NodeInfo[]): string {
  switch (step) {
    case "prepare": return "workspace ready";
    case "apply": return `${nodes.length} VM${nodes.length === 1 ? "" : "s"}: ${nodes.map((n) => `${n.name} ${n.ip}`).join(", ")}`;
    case "wait_ssh": return "all nodes answer SSH";
    case "configure": return "kubeadm cluster up, workers joined";
    case "kubeconfig": return "admin kubeconfig stored (encrypted)";
    case "deliver": return "kubeconfig sent to the owner by direct message";
  }
}
