/** The job queue: persisted jobs picked in fair order and run through p-queue with `max_parallel_jobs`. */
import PQueue from "p-queue";
import { randomBytes } from "node:crypto";
import type { Db } from "../db/open.ts";
import type { Job } from "../db/schema.ts";
import type { Clock } from "../util/clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { activeJobs, lockJob, resetStaleLocks } from "./repo.ts";
import { fairOrder } from "./fair-order.ts";

/** The abort reason when the process stops: the job stays locked and resumes after the restart. */
export class Shutdown extends Error {
  constructor() { super("labforge is shutting down"); }
}

/** Runs one job to its end; it must record success or failure itself and honour the signal. */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<void>;

export class JobQueue {
  /** This process's lock owner name; locks held by any other name are stale after a restart. */
  readonly worker = `worker-${process.pid}-${randomBytes(3).toString("hex")}`;
  private readonly pq: PQueue;
  private readonly running = new Map<number, AbortController>();
  private pumping: Promise<void> | undefined;
  private again = false;
  private runner: JobRunner | undefined;
  private stopped = false;

  constructor(private readonly db: Db, private readonly clock: Clock, private readonly log: Logger,
    private readonly metrics: Metrics, readonly concurrency: number) {
    this.pq = new PQueue({ concurrency });
  }

  /** Resets stale locks from a previous process and starts running jobs with `runner`. */
  async start(runner: JobRunner): Promise<void> {
    this.runner = runner;
    const reset = await resetStaleLocks(this.db.k, this.worker);
    if (reset > 0) this.log.info({ reset }, "requeued jobs left running by a previous process");
    this.pump();
  }

  /** Looks for runnable jobs now (call after enqueueing or when a job ends). */
  pump(): void {
    if (!this.runner || this.stopped) return;
    if (this.pumping) { this.again = true; return; }
    this.pumping = this.fill().catch((e) => this.log.error({ err: e }, "job queue pump failed"))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) { this.again = false; this.pump(); }
      });
  }

  private async fill(): Promise<void> {
    const jobs = await activeJobs(this.db.k);
    const now = this.clock.now();
    const running = jobs.filter((j) => j.state === "running");
    const queued = fairOrder(jobs.filter((j) => j.state === "queued" && j.run_at <= now), running);
    this.updateGauges(jobs);
    for (const job of queued) {
      if (this.running.size >= this.concurrency) break;
      if (!(await lockJob(this.db.k, job.id, this.worker, now))) continue;
      const controller = new AbortController();
      this.running.set(job.id, controller);
      const locked = { ...job, state: "running" as const, attempts: job.attempts + 1, locked_by: this.worker, locked_at: now };
      void this.pq.add(async () => {
        try {
          await this.runner!(locked, controller.signal);
        } catch (e) {
          this.log.error({ err: e, job: job.id }, "job runner threw");
        } finally {
          this.running.delete(job.id);
          this.pump();
        }
      });
    }
  }

  private updateGauges(jobs: Job[]): void {
    const counts = { queued: 0, running: 0 };
    for (const j of jobs) counts[j.state as "queued" | "running"]++;
    this.metrics.jobs.set({ state: "queued" }, counts.queued);
    this.metrics.jobs.set({ state: "running" }, counts.running);
    this.metrics.queueDepth.set(counts.queued);
  }

  /** Asks a running job to stop (its cluster is being deleted); true if it was running here. */
  abort(jobId: number, reason: Error): boolean {
    const c = this.running.get(jobId);
    c?.abort(reason);
    return c !== undefined;
  }

  /** True when nothing runs here and nothing runnable waits in the database. */
  async isIdle(): Promise<boolean> {
    if (this.running.size > 0 || this.pumping) return false;
    const jobs = await activeJobs(this.db.k);
    return jobs.length === 0;
  }

  /** Resolves when the queue is idle (used by scripts and tests). */
  async whenIdle(pollMs = 25): Promise<void> {
    while (!(await this.isIdle())) {
      await this.pq.onIdle();
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Jobs in the order they will run: running first, then queued with positions from 1. */
  async snapshot(): Promise<{ running: Job[]; queued: Job[] }> {
    const jobs = await activeJobs(this.db.k);
    const running = jobs.filter((j) => j.state === "running");
    return { running, queued: fairOrder(jobs.filter((j) => j.state === "queued"), running) };
  }

  /** Stops taking new jobs, aborts running ones and waits for them to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.running.values()) c.abort(new Shutdown());
    await this.pq.onIdle();
  }
}
