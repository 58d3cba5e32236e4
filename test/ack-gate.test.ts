/** The acknowledge-first gate: work waits while acknowledgements are pending and for a short quiet spell after, never longer than its maximum. */
import { describe, expect, it } from "vitest";
import { AckGate } from "../src/kernel/ack-gate.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("AckGate", () => {
  it("lets work through at once when nothing was acknowledged lately", async () => {
    const gate = new AckGate(20, 1000);
    expect(gate.busy()).toBe(false);
    let through = false;
    void gate.clear().then(() => { through = true; });
    await Promise.resolve();
    expect(through).toBe(true);
  });

  it("holds work while a request waits and for the quiet spell after the last acknowledgement, releasing waiters in order", async () => {
    const gate = new AckGate(30, 5000);
    gate.enter();
    gate.enter();
    const order: string[] = [];
    const started = performance.now();
    const a = gate.clear().then(() => order.push("a"));
    const b = gate.clear().then(() => order.push("b"));
    await sleep(40);
    expect(order).toEqual([]); // two still pending
    gate.leave();
    await sleep(40);
    expect(order).toEqual([]); // one still pending
    gate.leave();
    expect(gate.busy()).toBe(true); // just acknowledged: a burst's next request may be a few ms away
    gate.enter(); // … and here it is
    await sleep(10);
    gate.leave();
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
    // Released only once 30 ms passed after the last leave (which came at about 90 ms).
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(gate.busy()).toBe(false);
  });

  it("lets a waiter go after its maximum delay even if requests keep coming", async () => {
    const gate = new AckGate(20, 100);
    gate.enter(); // never acknowledged
    const started = performance.now();
    await gate.clear();
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(gate.busy()).toBe(true);
  });
});
