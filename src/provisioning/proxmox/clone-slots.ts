/**
 * `queue.max_parallel_clones` counted in VMs, across every running apply:
 * an apply takes up to that many slots (one per VM it may clone at once),
 * waits in arrival order until they are free, and runs terraform with
 * `-parallelism` equal to what it holds. Two applies of a 1 + 5 cluster with
 * a limit of 2 therefore clone two VMs at a time in total, not twelve.
 */

export interface CloneLease {
  /** How many VMs this apply may clone at once: its -parallelism. */
  readonly count: number;
  release(): void;
}

interface Waiter { n: number; grant: () => void }

export class CloneSlots {
  private free: number;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`max_parallel_clones must be a whole number >= 1, got ${limit}`);
    this.free = limit;
  }

  /** Takes min(vms, limit) slots, first come first served; rejects when the signal aborts while waiting. */
  async acquire(vms: number, signal?: AbortSignal): Promise<CloneLease> {
    signal?.throwIfAborted();
    const n = Math.max(1, Math.min(vms, this.limit));
    if (this.waiting.length === 0 && this.free >= n) {
      this.free -= n;
      return this.lease(n);
    }
    await new Promise<void>((resolve, reject) => {
      const w: Waiter = { n, grant: () => { signal?.removeEventListener("abort", onAbort); resolve(); } };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(w), 1);
        this.pump(); // a big waiter leaving may let smaller ones behind it go
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(w);
    });
    return this.lease(n);
  }

  /** Slots in use right now (for tests and metrics). */
  get inUse(): number {
    return this.limit - this.free;
  }

  private lease(n: number): CloneLease {
    let released = false;
    return {
      count: n,
      release: () => {
        if (released) return;
        released = true;
        this.free += n;
        this.pump();
      },
    };
  }

  /** Grants waiters in order while the head fits (no overtaking, so a big apply is never starved). */
  private pump(): void {
    while (this.waiting.length > 0 && this.free >= this.waiting[0]!.n) {
      const w = this.waiting.shift()!;
      this.free -= w.n;
      w.grant();
    }
  }
}
