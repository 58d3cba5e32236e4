/**
 * The outbox plus each cluster's root message (posted once, then updated in place) and the thread under it. Each root
 * message's last landed card is stored as a digest: an unchanged card is not sent again, and a start re-renders what a
 * crash left stale. Thread replies are saved until the platform has them, so a start sends what a crash held back.
 */
import { createHash } from "node:crypto";
import type { Card } from "../kernel/cards.ts";
import type { ChatRouter } from "../chat/router.ts";
import { Outbox } from "../chat/outbox.ts";
import type { Db } from "../db/open.ts";
import type { Cluster } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Directory } from "../tenants/directory.ts";
import { clusterCard } from "./render.ts";
import { getCluster, setRootRef, setRootShown } from "./repo.ts";
import { latestJob } from "../jobs/repo.ts";
import { getSession, sessionClusters, setSessionRoot, setSessionShown } from "./class-repo.ts";
import { dropReply, pendingReplies, saveReply, type Reply } from "./thread-replies.ts";
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
    const reply = { clusterId, card, routine: opts.routine ?? false };
    const saved = saveReply(this.db.k, reply, this.now());
    saved.catch(() => undefined); // the failure is logged where the send awaits it
    this.sendReply(reply, saved);
  }

  /** On start: sends the thread replies an earlier process saved but never handed to the platform; returns how many. */
  async resendReplies(): Promise<number> {
    const pending = await pendingReplies(this.db.k);
    for (const r of pending) this.sendReply(r, Promise.resolve(r.id));
    return pending.length;
  }

  /** Sends a saved reply in order with the cluster's root message; it is forgotten once handed over, or refused. */
  private sendReply(r: Reply, saved: Promise<number>): void {
    void this.run(`cluster:${r.clusterId}`, async () => {
      const id = await saved;
      let handed = false;
      try {
        const c = await getCluster(this.db.k, r.clusterId);
        if (!c || (c.session_id && r.routine)) return;
        const ref = c.session_id ? await this.ensureSessionRoot(c.session_id) : c.root_ref ?? await this.postRoot(c);
        if (!ref) return;
        const card = c.session_id ? { ...r.card, title: `${c.name}: ${r.card.title}` } : r.card;
        this.track(this.router.replyInThread(ref, card).finally(() => dropReply(this.db.k, id)), "thread reply");
        handed = true;
      } finally {
        if (!handed) await dropReply(this.db.k, id);
      }
    });
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

/** A short digest of a card, to tell whether a root message already shows it. */
function digest(card: Card): string {
  return createHash("sha256").update(JSON.stringify(card)).digest("base64url").slice(0, 22);
}
