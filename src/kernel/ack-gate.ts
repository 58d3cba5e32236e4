/**
 * Acknowledge first: adapters count the requests that still wait for their acknowledgement (Slack's HTTP 200,
 * Discord's deferral), and the core's work (inbox entries, job starts, outbound chat) waits until none has waited
 * for a short quiet spell, so a burst of commands is acknowledged as fast as a bare app would, even while earlier
 * clusters are being built. A waiting caller goes ahead after `maxDelayMs` anyway, so a
 * steady stream of requests cannot starve the work.
 */
export class AckGate {
  private pending = 0;
  private lastLeave = -Infinity;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * `quietMs`: how long no acknowledgement may have been pending (requests of one burst arrive a few ms apart, so
   * work that starts in such a gap would delay the next arrivals).
   */
  constructor(private readonly quietMs = 5, private readonly maxDelayMs = 1000) {}

  /** A request arrived and is not acknowledged yet. */
  enter(): void {
    this.pending++;
  }

  /** A request was acknowledged (or failed). */
  leave(): void {
    this.pending = Math.max(0, this.pending - 1);
    this.lastLeave = performance.now();
    this.arm();
  }

  /** True while an acknowledgement is pending or was given less than `quietMs` ago: work should wait for `clear()`. */
  busy(): boolean {
    return !this.quiet();
  }

  /** Resolves at once when nothing waits for its acknowledgement, else once that has been so for `quietMs` (or after `maxDelayMs`). */
  clear(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((resolve) => {
      const go = (): void => { clearTimeout(timeout); resolve(); };
      // Past its maximum a waiter goes, and leaves the list (a steady stream of requests must not grow it).
      const timeout = setTimeout(() => { this.waiters = this.waiters.filter((w) => w !== go); resolve(); }, this.maxDelayMs);
      this.waiters.push(go);
      this.arm();
    });
  }

  private quiet(): boolean {
    return this.pending === 0 && performance.now() - this.lastLeave >= this.quietMs;
  }

  private arm(): void {
    if (this.timer || this.pending > 0 || this.waiters.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.quiet()) return this.arm();
      for (const go of this.waiters.splice(0)) go();
    }, Math.max(1, this.quietMs - (performance.now() - this.lastLeave)));
  }
}
