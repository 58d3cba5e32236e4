/**
 * The job queue: persisted jobs picked in fair order and run by the runner for their kind. The queue owns every
 * outcome: a runner that returns succeeded, one that throws failed (or runs again with backoff while attempts remain),
 * and each outcome is written only while this worker still holds the job's lock.
 */
import { randomBytes } from "node:crypto";
import type { Db } from "../db/open.ts";
import type { Job, JobKind } from "../db/schema.ts";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { activeJobs, cancelHeldJob, completeJob, failJob, INFRA_KINDS, lockJob, resetStaleLocks, queueSummary, retryJobLater, runnableJobs } from "./repo.ts";
import { fairOrder, sessionMayTakeSlot } from "./fair-order.ts";
import { JobCancelled, JobFailure, Shutdown } from "./errors.ts";
import type { AckGate } from "../kernel/ack-gate.ts";

/** Runs one job; returns when it is done, throws JobCancelled / JobFailure (or anything) otherwise, and honours the signal. */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<void>;

export interface QueueOptions {
  /** `max_parallel_jobs`: infrastructure jobs (provision, cleanup, destroy) at once. */
  concurrency: number;
  /** Short jobs (deliveries, kubectl calls) at once, beside the infrastructure ones. */
  lightConcurrency?: number;
  /** The first retry's delay; each further one waits four times longer. */
  retryDelayMs?: number;
  /** Applied to every error message before it is stored. */
  redact?: (text: string) => string;
  /** No job starts while acknowledgements are pending (a burst of commands goes first). */
  acks?: AckGate;
}

export class JobQueue {
  /** This process's lock owner name; locks held by any other name are stale after a restart. */
  readonly worker = `worker-${process.pid}-${randomBytes(3).toString("hex")}`;
  readonly concurrency: number;
  private readonly running = new Map<number, { job: Job; controller: AbortController; done: Promise<void> }>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private runners: Partial<Record<JobKind, JobRunner>> | undefined;
  private stopped = false;
  private wakeup: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db, private readonly clock: Clock, private readonly log: Logger,
    private readonly metrics: Metrics, private readonly opts: QueueOptions) {
    this.concurrency = opts.concurrency;
  }

  /** Resets stale locks from a previous process and starts running jobs with the runner for each kind. */
  async start(runners: Partial<Record<JobKind, JobRunner>>): Promise<void> {
    this.runners = runners;
    const reset = await resetStaleLocks(this.db.k, this.worker);
    if (reset > 0) this.log.info({ reset }, "requeued jobs left running by a previous process");
    this.pump();
  }

  /** Looks for runnable jobs now (call after enqueueing or when a job ends). */
  pump(): void {
    if (!this.runners || this.stopped) return;
    if (this.pumping) { this.again = true; return; }
    this.pumping = this.fill().catch((e) => this.log.error({ err: e }, "job queue pump failed"))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) { this.again = false; this.pump(); }
      });
  }

  private async fill(): Promise<void> {
    if (this.opts.acks?.busy()) await this.opts.acks.clear();
    if (this.stopped) return; // stop() came while the pump waited: nothing new starts
    const busy = { infra: 0, light: 0 };
    for (const r of this.running.values()) busy[laneOf(r.job.kind)]++;
    const limit = { infra: this.concurrency, light: this.opts.lightConcurrency ?? 4 };
    const openInfra = busy.infra < limit.infra;
    const openLight = busy.light < limit.light;
    const now = this.clock.now();
    // With every slot taken nothing could start (the end of a running job pumps again): only the gauges change.
    const { running, due } = openInfra || openLight
      ? await runnableJobs(this.db.k, now, openInfra && openLight ? undefined : { kinds: INFRA_KINDS, not: !openInfra })
      : { running: [], due: [] };
    // Infrastructure slots held per class session, so a session leaves one for others who wait.
    const perSession = new Map<string, number>();
    for (const r of this.running.values()) if (r.job.session_id && laneOf(r.job.kind) === "infra") perSession.set(r.job.session_id, (perSession.get(r.job.session_id) ?? 0) + 1);
    for (const slot of fairOrder(due, running)) {
      const lane = laneOf(slot.kind);
      if (busy[lane] >= limit[lane] || this.stopped) continue;
      if (lane === "infra") {
        const othersWaiting = due.some((j) => laneOf(j.kind) === "infra" && j.session_id !== slot.session_id && !this.running.has(j.id));
        if (!sessionMayTakeSlot(slot, perSession.get(slot.session_id ?? "") ?? 0, limit.infra, othersWaiting)) continue;
      }
      const job = await lockJob(this.db.k, slot.id, this.worker, now);
      if (!job) continue;
      busy[lane]++;
      if (job.session_id && lane === "infra") perSession.set(job.session_id, (perSession.get(job.session_id) ?? 0) + 1);
      this.launch(job);
    }
    const summary = await queueSummary(this.db.k, now);
    this.updateGauges(summary.running, summary.queued);
    this.scheduleWakeup(summary.nextRunAt);
  }

  private launch(job: Job): void {
    const controller = new AbortController();
    const done = this.runOne(job, controller.signal).finally(() => {
      this.running.delete(job.id);
      this.pump();
    });
    this.running.set(job.id, { job, controller, done });
  }

  private async runOne(job: Job, signal: AbortSignal): Promise<void> {
    const runner = this.runners?.[job.kind];
    try {
      if (!runner) throw new JobFailure(`no runner for jobs of kind ${job.kind}`);
      await runner(job, signal);
      await completeJob(this.db.k, job, this.clock.now());
    } catch (err) {
      await this.settle(job, err, signal).catch((e) => this.log.error({ err: e, job: job.id }, "could not record a job's outcome"));
    }
  }

  /** Records how a job that threw ended; a job stopped by shutdown keeps its lock and resumes after the restart. */
  private async settle(job: Job, err: unknown, signal: AbortSignal): Promise<void> {
    if (signal.reason instanceof Shutdown) return;
    const now = this.clock.now();
    const redact = this.opts.redact ?? ((s: string) => s);
    if (err instanceof JobCancelled) { await cancelHeldJob(this.db.k, job, now, redact(err.message)); return; }
    const message = redact(err instanceof Error ? err.message : String(err));
    if (!(err instanceof JobFailure)) this.log.error({ err, job: job.id, kind: job.kind }, "job runner threw");
    if (err instanceof JobFailure && err.opts.retryable && job.attempts < job.max_attempts) {
      const delay = (this.opts.retryDelayMs ?? 500) * 4 ** (job.attempts - 1);
      await retryJobLater(this.db.k, job, now + delay, message);
      return;
    }
    await failJob(this.db.k, job, now, message, err instanceof JobFailure ? err.opts.logTail : undefined);
  }

  /** Wakes the queue when the earliest job that waits for its retry time is due. */
  private scheduleWakeup(runAt: number | undefined): void {
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    if (runAt === undefined || this.stopped) return;
    const delay = Math.max(0, runAt - this.clock.now());
    this.wakeup = setTimeout(() => this.pump(), delay + 5);
    this.wakeup.unref();
  }

  private updateGauges(running: number, queued: number): void {
    this.metrics.jobs.set({ state: "queued" }, queued);
    this.metrics.jobs.set({ state: "running" }, running);
    this.metrics.queueDepth.set(queued);
  }

  /** Aborts a cluster's jobs of these kinds running here, and resolves once they have settled. */
  async abortCluster(clusterId: string, kinds: readonly JobKind[], reason: Error): Promise<void> {
    const settling: Promise<void>[] = [];
    for (const r of this.running.values()) {
      if (r.job.cluster_id !== clusterId || !kinds.includes(r.job.kind)) continue;
      r.controller.abort(reason);
      settling.push(r.done);
    }
    await Promise.all(settling);
  }

  /**
   * True when nothing runs here and nothing waits in the database, leaving out a class session's jobs held for its
   * planned start: a script that books tomorrow's lab does not wait until tomorrow (a retry's backoff is waited for).
   */
  async isIdle(): Promise<boolean> {
    if (this.running.size > 0 || this.pumping) return false;
    const now = this.clock.now();
    const jobs = await activeJobs(this.db.k);
    return jobs.every((j) => j.state === "queued" && j.session_id !== null && j.run_at > now);
  }

  /** Resolves when the queue is idle (used by scripts and tests). */
  async whenIdle(pollMs = 25): Promise<void> {
    while (!(await this.isIdle())) {
      await Promise.all([...this.running.values()].map((r) => r.done));
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * Jobs in the order they will run: running first, then queued ones that may start now with positions from 1;
   * `held` are queued ones that wait for their `run_at` (a class session's planned start, a retry's backoff), soonest first.
   */
  async snapshot(): Promise<{ running: Job[]; queued: Job[]; held: Job[] }> {
    const jobs = await activeJobs(this.db.k);
    const now = this.clock.now();
    const running = jobs.filter((j) => j.state === "running");
    const waiting = jobs.filter((j) => j.state === "queued");
    return {
      running,
      queued: fairOrder(waiting.filter((j) => j.run_at <= now), running),
      held: waiting.filter((j) => j.run_at > now).sort((a, b) => a.run_at - b.run_at || a.id - b.id),
    };
  }

  /** Stops taking new jobs, aborts running ones and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeup) clearTimeout(this.wakeup);
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(new Shutdown());
    await Promise.all(all.map((r) => r.done));
  }
}

function laneOf(kind: JobKind): "infra" | "light" {
  return INFRA_KINDS.includes(kind) ? "infra" : "light";
}
