/**
 * The outbox plus each cluster's root message (posted once, then updated in place) and the thread under it. Each root
 * message's last landed card is stored as a digest: an unchanged card is not sent again, and a start re-renders what a
 * crash left stale. Thread replies and DM notices are saved until the platform has them, so a start sends what a
 * crash held back.
 */
import type { Card } from "../kernel/cards.ts";
import type { ChatRouter } from "../chat/router.ts";
import { Outbox } from "../chat/outbox.ts";
import { cardDigest as digest } from "../chat/digest.ts";
import type { Db } from "../db/open.ts";
import type { Cluster } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Directory } from "../tenants/directory.ts";
import { clusterCard } from "./render.ts";
import { getCluster, setRootRef, setRootShown } from "./repo.ts";
import { latestJob } from "../jobs/repo.ts";
import { getSession, sessionClusters, setSessionRoot, setSessionShown } from "./class-repo.ts";
import { dropChat, saveChat, savedChat, type PendingChat } from "./pending-chat.ts";
import { sessionCard } from "./class-card.ts";
import type { AckGate } from "../kernel/ack-gate.ts";

export class Notifier extends Outbox {
  /** Root messages of class sessions being posted, so two renders never post one twice. */
  private readonly sessionRoots = new Map<string, Promise<string | undefined>>();

  constructor(router: ChatRouter, private readonly db: Db, private readonly directory: Directory, log: Logger, minUpdateIntervalMs = 0,
    private readonly zoneOf: (tenant: string) => string = () => "UTC", private readonly now: () => number = Date.now, acks?: AckGate) {
    super(router, log, minUpdateIntervalMs, acks);
  }

  /** A class session changed (or one of its clusters did): re-render its root message, ready / total, in place. */
  sessionChanged(sessionId: string): void {
    this.coalesce(`session:${sessionId}`, async () => {
      const s = await getSession(this.db.k, sessionId);
      if (!s) return;
      const posted = s.root_ref ?? await this.ensureSessionRoot(sessionId);
      if (!posted || posted !== s.root_ref) return; // just posted, with the current card
      const card = await this.sessionCardOf(sessionId);
      const shown = digest(card);
      // A change of a cluster that leaves the counts alone sends nothing.
      if (s.root_shown === shown) return;
      this.track(this.router.update(posted, card).then(() => setSessionShown(this.db.k, sessionId, shown)), "update");
    });
  }

  /** The cluster changed: re-render its root message (posting it the first time). Bursts collapse into one update. */
  clusterChanged(clusterId: string): void {
    this.coalesce(`cluster:${clusterId}`, () => this.renderRoot(clusterId));
  }

  /**
   * Posts a reply in the cluster's thread, after its root message exists. A class session's clusters share the
   * session's thread (each reply names its cluster), and there a `routine` reply (a step done) is left out, so
   * 40 clusters do not bury the failures that need the instructor.
   */
  thread(clusterId: string, card: Card, opts: { routine?: boolean } = {}): void {
    void this.keep({ kind: "thread", target: clusterId, card, routine: opts.routine ?? false });
  }

  /**
   * Sends a notice by direct message, kept until the platform has it (a crash while it waits loses none, at worst
   * shows it twice); resolves with its ref, or undefined if sending failed (logged). Never for a file.
   */
  notify(identity: string, card: Card): Promise<string | undefined> {
    return this.keep({ kind: "dm", target: identity, card, routine: false });
  }

  /** On start: sends the thread replies and notices an earlier process saved but never handed over; returns how many. */
  async resendSaved(): Promise<number> {
    const saved = await savedChat(this.db.k);
    for (const m of saved) void this.send(m, Promise.resolve(m.id));
    return saved.length;
  }

  private keep(m: PendingChat): Promise<string | undefined> {
    const saved = saveChat(this.db.k, m, this.now());
    saved.catch(() => undefined); // the failure is logged where send() awaits it
    return this.send(m, saved);
  }

  /** Sends a saved message in order with the rest under its key; it is forgotten once handed over, or refused. */
  private send(m: PendingChat, saved: Promise<number>): Promise<string | undefined> {
    return this.run(m.kind === "dm" ? `dm:${m.target}` : `cluster:${m.target}`, async () => {
      const id = await saved;
      const drop = () => dropChat(this.db.k, id);
      if (m.kind === "dm") {
        try { return await this.router.dm(m.target, m.card); } finally { await drop(); }
      }
      const reply = await this.threadReply(m).catch(async (err: unknown) => { await drop(); throw err; });
      if (reply) this.track(reply.sent.finally(drop), "thread reply");
      else await drop();
      return undefined;
    });
  }

  /** Hands a reply to the platform once the cluster's root message (or its session's) exists; undefined when it goes nowhere. */
  private async threadReply(m: PendingChat): Promise<{ sent: Promise<string> } | undefined> {
    const c = await getCluster(this.db.k, m.target);
    if (!c || (c.session_id && m.routine)) return undefined;
    const ref = c.session_id ? await this.ensureSessionRoot(c.session_id) : c.root_ref ?? await this.postRoot(c);
    if (!ref) return undefined;
    return { sent: this.router.replyInThread(ref, c.session_id ? { ...m.card, title: `${c.name}: ${m.card.title}` } : m.card) };
  }

  /** The session's root message, posted once (concurrent callers share the one post). */
  private async ensureSessionRoot(sessionId: string): Promise<string | undefined> {
    const s = await getSession(this.db.k, sessionId);
    if (!s) return undefined;
    if (s.root_ref) return s.root_ref;
    let posting = this.sessionRoots.get(sessionId);
    if (!posting) {
      posting = (async () => {
        const card = await this.sessionCardOf(sessionId);
        const ref = await this.router.post(s.channel, card);
        await setSessionRoot(this.db.k, sessionId, ref, digest(card));
        return ref;
      })().finally(() => this.sessionRoots.delete(sessionId));
      this.sessionRoots.set(sessionId, posting);
    }
    return posting;
  }

  private async sessionCardOf(sessionId: string): Promise<Card> {
    const s = (await getSession(this.db.k, sessionId))!;
    return sessionCard(s, await sessionClusters(this.db.k, sessionId), this.zoneOf(s.tenant), this.now());
  }

  private async renderRoot(clusterId: string): Promise<void> {
    const c = await getCluster(this.db.k, clusterId);
    if (!c) return;
    // A class session's clusters have no message of their own: the session's counts them.
    if (c.session_id) { this.sessionChanged(c.session_id); return; }
    if (!c.root_ref) { await this.postRoot(c); return; }
    const card = await this.cardFor(c);
    const shown = digest(card);
    if (c.root_shown === shown) return;
    this.track(this.router.update(c.root_ref, card).then(() => setRootShown(this.db.k, c.id, shown)), "update");
  }

  /** Posts the first root message of a cluster and remembers its ref. */
  private async postRoot(c: Cluster): Promise<string> {
    const card = await this.cardFor(c);
    const ref = await this.router.post(c.channel, card);
    await setRootRef(this.db.k, c.id, ref, digest(card));
    return ref;
  }

  private async cardFor(c: Cluster): Promise<Card> {
    return clusterCard(c, await latestJob(this.db.k, c.id), this.directory.label(c.owner));
  }
}
