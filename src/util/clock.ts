/** Time as an injectable dependency, so tests can move it without waiting. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private t = Date.UTC(2026, 0, 12, 9, 0, 0)) {}
  now(): number { return this.t; }
  advance(ms: number): void { this.t += ms; }
  set(t: number): void { this.t = t; }
}
