/**
 * At most `limit` calls start in any `windowMs` (a sliding window, as Slack counts its tiers): a burst may use the
 * whole allowance at once, then each further call waits until the oldest of the window is `windowMs` old.
 */
import { setTimeout as sleep } from "node:timers/promises";

export class SlidingWindow {
  private readonly starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Calls waiting for a slot. */
  waiting = 0;

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly onWait?: () => void,
    private readonly now: () => number = () => performance.now()) {}

  /** Runs `fn` once a slot in the window is free; slots are given in call order. */
  schedule<T>(fn: () => Promise<T>): Promise<T> {
    this.waiting++;
    const slot = this.chain.then(() => this.take()).finally(() => { this.waiting--; });
    this.chain = slot;
    return slot.then(fn);
  }

  /** How many calls started within the last window (for tests and the benchmark). */
  inWindow(): number {
    this.prune();
    return this.starts.length;
  }

  private async take(): Promise<void> {
    for (;;) {
      this.prune();
      if (this.starts.length < this.limit) break;
      this.onWait?.();
      await sleep(this.starts[0]! + this.windowMs - this.now() + 1);
    }
    this.starts.push(this.now());
  }

  private prune(): void {
    const edge = this.now() - this.windowMs;
    while (this.starts.length > 0 && this.starts[0]! <= edge) this.starts.shift();
  }
}
