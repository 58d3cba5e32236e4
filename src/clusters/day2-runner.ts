/**
 * The shape every day-2 job (stop, start, scale, rebuild) shares: take the cluster's lock, check it is still in the
 * state the command left it in, run the job's steps in order (persisting each finished one, so a restart resumes
 * after it), then the closing transition in one transaction. A delete aborts it at once; a failure is retried while
 * attempts remain, and on the last one the job's failure transition runs and the thread and owner are told.
 */
import type { Kysely } from "kysely";
import type { App } from "./app.ts";
import type { Cluster, ClusterState, Database, Job } from "../db/schema.ts";
import type { Card } from "../kernel/cards.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { finishStep, startStep } from "../jobs/repo.ts";
import { JobCancelled, JobFailure, Shutdown } from "../jobs/errors.ts";
import { transact } from "../db/tx.ts";
import { StepError, type ClusterSpec, type NodeInfo, type StepContext } from "../provisioning/driver.ts";
import { ClusterDeleted, type Moved } from "./lifecycle.ts";
import { getCluster, nodesOf } from "./repo.ts";
import { specOf } from "./spec.ts";
import { StepLog } from "./step-log.ts";

/** What a step works on; `nodes` is re-read from the cluster after a step that changes it. */
export interface Day2Context {
  cluster: Cluster;
  spec: ClusterSpec;
  nodes: NodeInfo[];
  job: Job;
}

export interface Day2Step {
  name: string;
  /** Shown in the thread when the step finishes (`✓ Powering off`). */
  label: string;
  timeoutMs: number;
  run(d: Day2Context, ctx: StepContext): Promise<void>;
}

export interface Day2Job {
  /** The state the command moved the cluster to; anything else means the job is moot. */
  state: ClusterState;
  /** What the job does, for messages (`stop`, `scale to 3 workers`). */
  what(d: Day2Context): string;
  steps(d: Day2Context): Day2Step[];
  /** The closing transition and its records, inside one transaction. */
  finish(trx: Kysely<Database>, d: Day2Context, now: number): Promise<Moved>;
  /** The thread reply once it is done. */
  doneCard(d: Day2Context): Card;
  /** The failure transition on the last failed attempt, inside one transaction. */
  fail(trx: Kysely<Database>, d: Day2Context, now: number, reason: string): Promise<Moved>;
  /** What the thread says to do after a failure; default: run the command again. */
  afterFailure?: string;
}

/** A runner for one day-2 job kind. */
export function day2Runner(app: App, def: Day2Job): JobRunner {
  return async (job, signal) => {
    const release = await app.locks.acquire(`cluster:${job.cluster_id}`);
    const log = new StepLog(app.redactor, job.log_tail);
    let d: Day2Context | undefined;
    let label = "Starting";
    try {
      // An earlier attempt of this very job committed its closing transition before the process died.
      if (job.last_step === "done") return;
      const c = await getCluster(app.db.k, job.cluster_id);
      if (!c || c.state !== def.state) throw new JobCancelled(`moot: the cluster is ${c?.state ?? "gone"}`);
      d = { cluster: c, spec: await specOf(app, c), nodes: nodesOf(c), job };
      const steps = def.steps(d);
      const start = job.last_step ? steps.findIndex((s) => s.name === job.last_step) + 1 : 0;
      if (start > 0) log.add(`resuming after ${job.last_step}`);
      for (const step of steps.slice(start)) {
        signal.throwIfAborted();
        label = step.label;
        await startStep(app.db.k, job, step.name);
        const began = performance.now();
        const stepSignal = AbortSignal.any([signal, AbortSignal.timeout(step.timeoutMs)]);
        await step.run(d, { signal: stepSignal, log: (l) => log.add(l), progress: (p) => log.add(`… ${p}`) });
        const fresh = await getCluster(app.db.k, c.id);
        if (fresh) d.nodes = nodesOf(fresh);
        // Saved before the step is recorded, so a crash after the record cannot lose the reply.
        app.notifier.thread(c.id, { title: `✓ ${step.label}`, text: `${((performance.now() - began) / 1000).toFixed(1)} s`, tone: "info" });
        if (!(await finishStep(app.db.k, job, step.name, log.tail()))) throw new JobCancelled("the job was taken over");
      }
      signal.throwIfAborted();
      const ctx = d;
      const now = app.clock.now();
      // "done" is written with the closing transition, so a restart after the commit records success, not a moot job.
      const m = await transact(app.db, async (trx) => {
        const r = await def.finish(trx, ctx, now);
        if (r.ok) await finishStep(trx, job, "done", log.tail());
        return r;
      }, (r) => r.ok);
      if (!m.ok) throw new JobCancelled(`not finished: ${m.message}`);
      app.notifier.thread(c.id, def.doneCard(ctx));
      app.notifier.clusterChanged(c.id);
      app.jobs.pump();
    } catch (err) {
      throw await day2Failed(app, def, job, d, label, err, log, signal);
    } finally {
      release();
    }
  };
}

async function day2Failed(app: App, def: Day2Job, job: Job, d: Day2Context | undefined, label: string, err: unknown, log: StepLog, signal: AbortSignal): Promise<Error> {
  if (signal.reason instanceof Shutdown) return signal.reason;
  if (signal.reason instanceof ClusterDeleted) return new JobCancelled("cancelled: the cluster is being deleted");
  if (err instanceof JobCancelled) return err;
  const timedOut = err instanceof DOMException && err.name === "TimeoutError";
  const reason = app.redactor.redact(timedOut ? `“${label}” timed out` : err instanceof Error ? err.message : String(err));
  if (err instanceof StepError) err.logTail.forEach((l) => log.add(l));
  else app.log.error({ err, job: job.id, kind: job.kind }, "day-2 step crashed");
  const last = job.attempts >= job.max_attempts;
  if (last && d) {
    const ctx = d;
    const now = app.clock.now();
    const m = await transact(app.db, (trx) => def.fail(trx, ctx, now, `${def.what(ctx)} failed at “${label}”: ${reason}`), (r) => r.ok);
    if (m.ok) {
      const c = m.cluster;
      app.notifier.thread(c.id, { title: `✗ ${label} failed`, text: `${reason}\n${c.name} is ${c.state.replace("_", " ")}; ${def.afterFailure ?? "run the command again to retry"}.`, code: log.tail(12), tone: "error" });
      app.notifier.clusterChanged(c.id);
      void app.notifier.notify(c.owner, { title: `${c.name}: ${def.what(ctx)} failed`, text: `“${label}” failed: ${reason}. The thread under the cluster's message has the details.`, tone: "error" });
    }
  }
  return new JobFailure(reason, { retryable: !last, logTail: log.tail() });
}
