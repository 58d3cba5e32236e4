/** Assembles the core from its parts and owns its lifecycle: start (recover, resume), idle, stop. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/schema.ts";
import type { App } from "../clusters/app.ts";
import { tenantConfig } from "../config/lookup.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Clock } from "../util/clock.ts";
import type { InfraDriver } from "../provisioning/driver.ts";
import { openDb, type Db } from "../db/open.ts";
import { Directory } from "../tenants/directory.ts";
import { KubeconfigStore } from "../secrets/kubeconfig-store.ts";
import { Notifier } from "../clusters/notifier.ts";
import { JobQueue } from "../jobs/queue.ts";
import { catchUpChat, lifecycleRunners } from "../clusters/runners.ts";
import { namespaceRunners } from "../namespaces/revoke.ts";
import { createDriver } from "../provisioning/select-driver.ts";
import { Locks } from "../util/locks.ts";
import { Redactor } from "../util/redact.ts";
import { ChatRouter } from "../chat/router.ts";
import { Dispatcher } from "./dispatcher.ts";
import { Inbox } from "./inbox.ts";
import { AckGate } from "../kernel/ack-gate.ts";
import type { ActionInput, AutocompleteInput, ChatPort, CommandInput, CreateForm, DmChannelStore, InboundPort, InboxEntry, Suggestion } from "../kernel/ports.ts";
import type { Card, Reply } from "../kernel/cards.ts";
import { lapseRequests } from "../clusters/approvals/lapse.ts";
import { catchUpApprovalCards } from "../clusters/approvals/post.ts";
import { sweepExpiry } from "../clusters/expiry.ts";
import { WebViews } from "../commands/views/web-views.ts";
import type { WebPort } from "../kernel/web-port.ts";
import { sweepAutoStop } from "../clusters/auto-stop.ts";

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
  /** The first retry delay of a failed job attempt (tests use 0). */
  jobRetryDelayMs?: number;
  /** LABFORGE_PUBLIC_URL, for web sign-in links. */
  publicUrl?: string;
}

export class Core implements InboundPort {
  readonly app: App;
  readonly router: ChatRouter;
  readonly dispatcher: Dispatcher;
  readonly inbox: Inbox;
  readonly dmChannels: DmChannelStore;
  readonly acks = new AckGate();
  /** The web page's reads and sign-in (issue 15); its actions go through handleCommand / handleAction. */
  readonly web: WebPort;
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
      notifier: new Notifier(this.router, db, directory, opts.log, opts.minUpdateIntervalMs ?? 0,
        (tenant) => tenantConfig(opts.config, tenant)?.timezone ?? "UTC", () => opts.clock.now(), this.acks),
      jobs: new JobQueue(db, opts.clock, opts.log, opts.metrics, {
        concurrency: opts.config.queue.max_parallel_jobs, retryDelayMs: opts.jobRetryDelayMs, redact: (s) => redactor.redact(s), acks: this.acks,
      }),
      driver: opts.driver ?? createDriver(opts.config, opts.dataDir, { proxmoxTokenSecret: opts.proxmoxTokenSecret }, redactor, { db, log: opts.log }),
      locks: new Locks(),
      publicUrl: opts.publicUrl?.replace(/\/+$/, ""),
    };
    this.app = app;
    this.dispatcher = new Dispatcher(app);
    this.inbox = new Inbox(db, this.dispatcher, this.router, app.notifier, opts.clock, opts.log, this.acks);
    this.dmChannels = {
      get: async (identity) => (await db.k.selectFrom("dm_channels").select("channel").where("identity", "=", identity).executeTakeFirst())?.channel,
      set: async (identity, channel) => {
        await db.k.insertInto("dm_channels").values({ identity, channel, opened_at: opts.clock.now() })
          .onConflict((oc) => oc.column("identity").doUpdateSet({ channel })).execute();
      },
    };
    this.web = new WebViews(app);
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 30_000;
  }

  private readonly sweepIntervalMs: number;

  get config(): Config { return this.app.config; }
  handleCommand(input: CommandInput): Promise<Reply> { return this.dispatcher.handleCommand(input); }
  handleAction(input: ActionInput): Promise<Reply> { return this.dispatcher.handleAction(input); }
  home(identity: string): Promise<Card[]> { return this.dispatcher.home(identity); }
  createForm(identity: string, channel: string): Promise<CreateForm> { return this.dispatcher.createForm(identity, channel); }
  autocomplete(input: AutocompleteInput): Promise<Suggestion[]> { return this.dispatcher.autocomplete(input); }
  accept(entry: InboxEntry): Promise<boolean> { return this.inbox.accept(entry); }
  run(id: string, answer: (reply: Reply) => Promise<void>): Promise<Reply> { return this.inbox.run(id, answer); }
  connect(port: ChatPort, opts?: { fallback?: boolean }): void { this.router.register(port, opts); }
  label(identity: string): string { return this.app.directory.label(identity); }
  chatFlushed(): Promise<void> { return this.app.notifier.idle(); }
  /** From now on `accept` refuses, so platforms see no acknowledgement and deliver again to the next process. */
  refuseNew(): void { this.inbox.close(); }

  /** Recovers after a restart (stale locks, approval cards never posted or left stale, root messages never posted or left stale, unsent thread replies and DM notices, unanswered inbox entries) and starts jobs and sweeps. */
  async start(): Promise<void> {
    if (!this.router.hasPorts) throw new Error("register at least one chat adapter before starting the core");
    await this.app.jobs.start({ ...lifecycleRunners(this.app), ...namespaceRunners(this.app) });
    await catchUpApprovalCards(this.app);
    await catchUpChat(this.app);
    await this.inbox.recover();
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** When this process first swept: clusters that expired before it expired while the bot was down. */
  private bootAt: number | undefined;

  /** Time-driven work: lapsed requests, expiry reminders and expiries, auto-stop warnings and stops, old delivery ids. */
  async sweep(): Promise<void> {
    try {
      this.bootAt ??= this.app.clock.now();
      await lapseRequests(this.app);
      await sweepExpiry(this.app, this.bootAt);
      await sweepAutoStop(this.app);
      await this.app.db.k.deleteFrom("deliveries").where("at", "<", this.app.clock.now() - 86_400_000).execute();
      await this.inbox.prune(86_400_000);
      this.app.jobs.pump();
    } catch (err) {
      this.app.log.error({ err }, "sweep failed");
    }
  }

  /** Resolves when no job runs or waits and every chat message has been sent. */
  async idle(): Promise<void> {
    do {
      await this.inbox.idle();
      await this.app.jobs.whenIdle();
      await this.app.notifier.idle();
    } while (!(await this.app.jobs.isIdle()));
  }

  /**
   * Stops gracefully: sweeps end, every acknowledged command finishes and is answered (waiting up to `drainMs`; what
   * is left then runs on the next start), running jobs are stopped to
   * resume after their last finished step on the next start, queued chat messages get up to `chatFlushMs`, the database closes.
   */
  async stop(opts: { drainMs?: number; chatFlushMs?: number } = {}): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.inbox.idle(opts.drainMs ?? 10_000);
    await this.app.jobs.stop();
    // Chat still queued behind rate limits gets a few seconds: root messages never posted are posted on the next
    // start, and a stop must fit in a service manager's timeout.
    let flushed: NodeJS.Timeout | undefined;
    await Promise.race([this.app.notifier.idle(), new Promise((r) => { flushed = setTimeout(r, opts.chatFlushMs ?? 5_000); })]);
    clearTimeout(flushed);
    await this.app.db.close();
  }
}
