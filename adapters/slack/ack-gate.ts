/**
 * Acknowledge first: while Slack requests are still waiting for their HTTP answer, core work (database,
 * jobs) waits, so a burst of commands is acknowledged as fast as a bare Bolt app would. A waiting call
 * goes ahead after `maxDelayMs` anyway, so a steady stream of requests cannot starve it.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

export class AckGate {
  private pending = 0;

  constructor(private readonly maxDelayMs = 1000) {}

  /** A request arrived and is not answered yet. */
  enter(): void { this.pending++; }

  /** A request was answered. */
  leave(): void { this.pending = Math.max(0, this.pending - 1); }

  /** Resolves once no request waits for its answer (or after maxDelayMs). */
  async clear(): Promise<void> {
    const deadline = performance.now() + this.maxDelayMs;
    await nextTurn();
    while (this.pending > 0 && performance.now() < deadline) await nextTurn();
  }
}
