/** In-process keyed locks; `acquire` resolves to the release function. */
export class Locks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the key to be free, then holds it until the returned function is called. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
