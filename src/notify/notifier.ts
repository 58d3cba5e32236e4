/**
 * Outbound chat traffic from the core: ordered per cluster (root message before its thread replies),
 * root updates coalesced to the latest state, errors logged and never thrown back into jobs.
 * Updates and thread replies are handed to the port in order without waiting for each to land, so a
 * port that queues for rate limits can merge or coalesce what waits.
 */
import type { Attachment, Card } from "../core/cards.ts";
import type { ChatRouter } from "../core/router.ts";
import { DmUnavailableError } from "../core/ports.ts";
import type { Db } from "../db/open.ts";
import type { Cluster } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Directory } from "../tenants/directory.ts";
import { clusterCard } from "../clusters/render.ts";
import { getCluster, setRootRef } from "../clusters/repo.ts";
import { latestJob } from "../jobs/repo.ts";
import { sleep } from "../util/sleep.ts";

export class Notifier {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pendingRoot = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly router: ChatRouter, private readonly db: Db, private readonly directory: Directory,
    private readonly log: Logger, private readonly minUpdateIntervalMs = 0) {}

  /** The cluster changed: re-render its root message (posting it the first time). Bursts collapse into one update. */
  clusterChanged(clusterId: string): void {
    if (this.pendingRoot.has(clusterId)) return;
    this.pendingRoot.add(clusterId);
    this.enqueue(`cluster:${clusterId}`, async () => {
      this.pendingRoot.delete(clusterId);
      await this.renderRoot(clusterId);
      if (this.minUpdateIntervalMs > 0) await sleep(this.minUpdateIntervalMs);
    });
  }

  /** Posts a reply in the cluster's thread, after its root message exists. */
  thread(clusterId: string, card: Card): void {
    this.enqueue(`cluster:${clusterId}`, async () => {
      const ref = await this.ensureRoot(clusterId);
      if (ref) this.track(this.router.replyInThread(ref, card), "thread reply");
    });
  }

  /** Sends a direct message; resolves with its ref (or undefined if sending failed, which is logged). */
  dm(identity: string, card: Card, file?: Attachment): Promise<string | undefined> {
    return this.enqueue(`dm:${identity}`, () => this.router.dm(identity, card, file));
  }

  /** Like dm, but tells a closed inbox (DmUnavailableError) apart from other failures, so the caller can say so. */
  async dmChecked(identity: string, card: Card, file?: Attachment): Promise<"sent" | "closed" | "failed"> {
    const r = await this.enqueue(`dm:${identity}`, () => this.router.dm(identity, card, file).then(() => "sent" as const, (e: unknown) => {
      if (e instanceof DmUnavailableError) return "closed" as const;
      throw e;
    }));
    return r ?? "failed";
  }

  /** Posts a card to a channel in order with other posts under `key`. */
  post(key: string, channel: string, card: Card): Promise<string | undefined> {
    return this.enqueue(key, () => this.router.post(channel, card));
  }

  /** Replaces a message's content. */
  update(key: string, ref: string, card: Card): Promise<void> {
    return this.enqueue(key, () => this.router.update(ref, card)).then(() => undefined);
  }

  /** Resolves when every queued chat call has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0 || this.inflight.size > 0) await Promise.all([...this.chains.values(), ...this.inflight]);
  }

  /** Keeps a dispatched call for idle(), logging its failure instead of throwing it. */
  private track(call: Promise<unknown>, what: string): void {
    const p = call.catch((err: unknown) => this.log.warn({ err }, `chat ${what} failed`)).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private enqueue<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const result = previous.then(work).catch((err: unknown) => {
      this.log.warn({ err, key }, "chat call failed");
      return undefined;
    });
    const tail = result.then(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => { if (this.chains.get(key) === tail) this.chains.delete(key); });
    return result;
  }

  private async ensureRoot(clusterId: string): Promise<string | undefined> {
    const c = await getCluster(this.db.k, clusterId);
    if (!c) return undefined;
    return c.root_ref ?? this.postRoot(c);
  }

  private async renderRoot(clusterId: string): Promise<void> {
    const c = await getCluster(this.db.k, clusterId);
    if (!c) return;
    if (!c.root_ref) { await this.postRoot(c); return; }
    this.track(this.router.update(c.root_ref, await this.cardFor(c)), "update");
  }

  /** Posts the first root message of a cluster and remembers its ref. */
  private async postRoot(c: Cluster): Promise<string> {
    const ref = await this.router.post(c.channel, await this.cardFor(c));
    await setRootRef(this.db.k, c.id, ref);
    return ref;
  }

  private async cardFor(c: Cluster): Promise<Card> {
    return clusterCard(c, await latestJob(this.db.k, c.id), this.directory.label(c.owner));
  }
}
