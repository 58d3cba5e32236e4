/** The outbox plus each cluster's root message (posted once, then updated in place) and the thread under it. */
import type { Card } from "../kernel/cards.ts";
import type { ChatRouter } from "../chat/router.ts";
import { Outbox } from "../chat/outbox.ts";
import type { Db } from "../db/open.ts";
import type { Cluster } from "../db/schema.ts";
import type { Logger } from "../log.ts";
import type { Directory } from "../tenants/directory.ts";
import { clusterCard } from "./render.ts";
import { getCluster, setRootRef } from "./repo.ts";
import { latestJob } from "../jobs/repo.ts";

export class Notifier extends Outbox {
  constructor(router: ChatRouter, private readonly db: Db, private readonly directory: Directory, log: Logger, minUpdateIntervalMs = 0) {
    super(router, log, minUpdateIntervalMs);
  }

  /** The cluster changed: re-render its root message (posting it the first time). Bursts collapse into one update. */
  clusterChanged(clusterId: string): void {
    this.coalesce(`cluster:${clusterId}`, () => this.renderRoot(clusterId));
  }

  /** Posts a reply in the cluster's thread, after its root message exists. */
  thread(clusterId: string, card: Card): void {
    void this.run(`cluster:${clusterId}`, async () => {
      const ref = await this.ensureRoot(clusterId);
      if (ref) this.track(this.router.replyInThread(ref, card), "thread reply");
    });
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
