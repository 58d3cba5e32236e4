/** Assembles the core from its parts and owns its lifecycle: start (recover, resume), idle, stop. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import type { App } from "./app.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Clock } from "../util/clock.ts";
import type { InfraDriver } from "../provisioning/driver.ts";
import { openDb, type Db } from "../db/open.ts";
import { Directory } from "../tenants/directory.ts";
import { KubeconfigStore } from "../secrets/kubeconfig-store.ts";
import { Notifier } from "../notify/notifier.ts";
import { JobQueue } from "../jobs/queue.ts";
import { Pipeline } from "../provisioning/pipeline.ts";
import { createDriver } from "../provisioning/select-driver.ts";
import { Locks } from "../util/locks.ts";
import { Redactor } from "../util/redact.ts";
import { ChatRouter } from "./router.ts";
import { Dispatcher } from "./dispatcher.ts";
import { lapseRequests } from "../approvals/lapse.ts";
import { postMissingApprovalCards } from "../approvals/post.ts";
import { sweepExpiry } from "../clusters/expiry.ts";

export interface CoreOptions {
  config: Config;
  dataDir: string;
  secretKey: Buffer;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  redactor?: Redactor;
  driver?: InfraDriver;
  /** PROXMOX_TOKEN_SECRET, for infra.driver: proxmox. */
  proxmoxTokenSecret?: string;
  /** Minimum gap between two updates of one root message (0 for the console). */
  minUpdateIntervalMs?: number;
  /** How often lapses and clean-ups run. */
  sweepIntervalMs?: number;
}

export class Core {
  readonly app: App;
  readonly router: ChatRouter;
  readonly dispatcher: Dispatcher;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(opts: CoreOptions) {
    mkdirSync(join(opts.dataDir, "workspaces"), { recursive: true, mode: 0o700 });
    this.router = new ChatRouter(opts.metrics);
    const db: Db = openDb(join(opts.dataDir, "labforge.db"));
    const directory = new Directory(opts.config, db);
    const redactor = opts.redactor ?? new Redactor();
    const app: App = {
      config: opts.config, db, dataDir: opts.dataDir, directory, clock: opts.clock, log: opts.log, metrics: opts.metrics, redactor,
      kubeconfigs: new KubeconfigStore(db, opts.secretKey),
      notifier: new Notifier(this.router, db, directory, opts.log, opts.minUpdateIntervalMs ?? 0),
      jobs: new JobQueue(db, opts.clock, opts.log, opts.metrics, opts.config.queue.max_parallel_jobs),
      driver: opts.driver ?? createDriver(opts.config, opts.dataDir, { proxmoxTokenSecret: opts.proxmoxTokenSecret }, redactor, { db, log: opts.log }),
      locks: new Locks(),
    };
    this.app = app;
    this.dispatcher = new Dispatcher(app);
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 30_000;
  }

  private readonly sweepIntervalMs: number;

  /** Recovers after a restart (stale locks, unposted approval cards) and starts running jobs and sweeps. */
  async start(): Promise<void> {
    if (!this.router.hasPorts) throw new Error("register at least one chat adapter before starting the core");
    await this.app.jobs.start(new Pipeline(this.app).run);
    await postMissingApprovalCards(this.app);
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** When this process first swept: clusters that expired before it expired while the bot was down. */
  private bootAt: number | undefined;

  /** Time-driven work: lapsed requests, expiry reminders and expiries, old delivery ids. */
  async sweep(): Promise<void> {
    try {
      this.bootAt ??= this.app.clock.now();
      await lapseRequests(this.app);
      await sweepExpiry(this.app, this.bootAt);
      await this.app.db.k.deleteFrom("deliveries").where("at", "<", this.app.clock.now() - 86_400_000).execute();
      this.app.jobs.pump();
    } catch (err) {
      this.app.log.error({ err }, "sweep failed");
    }
  }

  /** Resolves when no job runs or waits and every chat message has been sent. */
  async idle(): Promise<void> {
    do {
      await this.app.jobs.whenIdle();
      await this.app.notifier.idle();
    } while (!(await this.app.jobs.isIdle()));
  }

  /** Stops sweeps and job intake, leaves running jobs to resume on the next start, and closes the database. */
  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.app.jobs.stop();
    await this.app.notifier.idle();
    await this.app.db.close();
  }
}
