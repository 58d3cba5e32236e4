/**
 * Outbound chat traffic: calls are ordered per key (a cluster's root message before its thread replies, one
 * person's DMs in order), a keyed re-render waiting behind a running one is dropped (bursts collapse into one),
 * errors are logged and never thrown back into jobs. Updates and thread replies are handed to the port without
 * waiting for each to land, so a port that queues for rate limits can merge or coalesce what waits.
 */
import type { Attachment, Card } from "../kernel/cards.ts";
import type { AckGate } from "../kernel/ack-gate.ts";
import { DmUnavailableError } from "../kernel/ports.ts";
import type { Logger } from "../log.ts";
import type { ChatRouter } from "./router.ts";
import { sleep } from "../util/sleep.ts";

export class Outbox {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pendingRender = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();

  /** `acks`: calls wait while acknowledgements are pending (a burst of commands goes first). */
  constructor(protected readonly router: ChatRouter, protected readonly log: Logger, private readonly minUpdateIntervalMs = 0, private readonly acks?: AckGate) {}

  /** Runs `render` in order under `key`, unless a render for `key` is already waiting; spaced by the minimum update interval. */
  coalesce(key: string, render: () => Promise<void>): void {
    if (this.pendingRender.has(key)) return;
    this.pendingRender.add(key);
    void this.run(key, async () => {
      this.pendingRender.delete(key);
      await render();
      if (this.minUpdateIntervalMs > 0) await sleep(this.minUpdateIntervalMs);
    });
  }

  /** Sends a direct message; resolves with its ref (or undefined if sending failed, which is logged). */
  dm(identity: string, card: Card, file?: Attachment): Promise<string | undefined> {
    return this.run(`dm:${identity}`, () => this.router.dm(identity, card, file));
  }

  /** Like dm, but tells a closed inbox (DmUnavailableError) apart from other failures, so the caller can say so. */
  async dmChecked(identity: string, card: Card, file?: Attachment): Promise<"sent" | "closed" | "failed"> {
    const r = await this.run(`dm:${identity}`, () => this.router.dm(identity, card, file).then(() => "sent" as const, (e: unknown) => {
      if (e instanceof DmUnavailableError) return "closed" as const;
      throw e;
    }));
    return r ?? "failed";
  }

  /** Posts a card to a channel in order with other posts under `key`. */
  post(key: string, channel: string, card: Card): Promise<string | undefined> {
    return this.run(key, () => this.router.post(channel, card));
  }

  /** Replaces a message's content; resolves true once the platform took it, false if that failed (logged). */
  update(key: string, ref: string, card: Card): Promise<boolean> {
    return this.run(key, () => this.router.update(ref, card).then(() => true)).then((ok) => ok === true);
  }

  /** Resolves when every queued chat call has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0 || this.inflight.size > 0) await Promise.all([...this.chains.values(), ...this.inflight]);
  }

  /** Keeps a call nobody waits for, for idle() (a stop waits for it), logging its failure instead of throwing it. */
  track(call: Promise<unknown>, what: string): void {
    const p = call.catch((err: unknown) => this.log.warn({ err }, `chat ${what} failed`)).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Runs `work` after everything queued under `key`; a failure is logged and resolves undefined. */
  run<T>(key: string, work: () => Promise<T>): Promise<T | undefined> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const start = () => (this.acks?.busy() ? this.acks.clear().then(work) : work());
    const result = previous.then(start).catch((err: unknown) => {
      this.log.warn({ err, key }, "chat call failed");
      return undefined;
    });
    const tail = result.then(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => { if (this.chains.get(key) === tail) this.chains.delete(key); });
    return result;
  }
}
