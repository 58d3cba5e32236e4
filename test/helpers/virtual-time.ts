/**
 * Virtual time for schedule tests: a simulated driver whose steps take given durations on a ManualClock, and a
 * loop that moves the clock to the next moment anything happens (a step ends, a held job becomes due), so a
 * three-hour plan runs in a second with the real queue, lifecycle and SQLite.
 */
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import type { ClusterSpec, ProvisionStep } from "../../src/provisioning/driver.ts";
import type { ManualClock } from "../../src/util/clock.ts";
import type { TestCore } from "./harness.ts";

const METHOD_STEP = { prepare: "prepare", apply: "apply", waitForSsh: "wait_ssh", configure: "configure", fetchKubeconfig: "kubeconfig" } as const;

export class VirtualTime {
  private sleepers: { at: number; wake: () => void }[] = [];
  constructor(readonly clock: ManualClock) {}

  /** Resolves when the clock has been moved `ms` ahead of now. */
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.clock.now() + ms, wake }));
  }

  get sleeping(): number { return this.sleepers.length; }
  get nextWake(): number | undefined { return this.sleepers.length ? Math.min(...this.sleepers.map((s) => s.at)) : undefined; }

  /** Moves the clock to `t` and wakes every sleeper due by then. */
  advanceTo(t: number): void {
    this.clock.set(t);
    const due = this.sleepers.filter((s) => s.at <= t);
    this.sleepers = this.sleepers.filter((s) => s.at > t);
    for (const s of due) s.wake();
  }
}

/** A simulated driver whose provision steps take `durations` of virtual time; `started` lists clusters in the order their first step began. */
export class TimedDriver extends SimulatedDriver {
  readonly started: string[] = [];
  constructor(dataDir: string, vt: VirtualTime, durations: Record<ProvisionStep, number>) {
    super({ dataDir, stepMs: 0, fail: {} });
    for (const [m, step] of Object.entries(METHOD_STEP) as [keyof typeof METHOD_STEP, ProvisionStep][]) {
      const original = (this[m] as (...a: unknown[]) => Promise<unknown>).bind(this);
      (this as Record<string, unknown>)[m] = async (...args: unknown[]) => {
        const spec = args[0] as ClusterSpec;
        if (m === "prepare") this.started.push(spec.name);
        await vt.sleep(durations[step]);
        return original(...args);
      };
    }
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the queue on virtual time until `done()` holds: waits (in real time) until every running job sleeps in the
 * driver, then moves the clock to the next step end or held job's run_at. Fails after `maxSteps` moves.
 */
export async function runVirtual(t: TestCore, vt: VirtualTime, done: () => Promise<boolean>, maxSteps = 5000): Promise<void> {
  const k = t.core.app.db.k;
  for (let i = 0; i < maxSteps; i++) {
    // Settled: twice in a row, as many sleepers as running jobs, and those all provisions (deliveries do not sleep).
    let calm = 0;
    for (let spins = 0; calm < 2; spins++) {
      if (spins > 2000) throw new Error("the queue did not settle");
      await pause(3);
      const running = await k.selectFrom("jobs").select(["kind"]).where("state", "=", "running").execute();
      const settled = running.every((j) => j.kind === "provision") && running.length === vt.sleeping;
      calm = settled ? calm + 1 : 0;
    }
    if (await done()) return;
    const held = await k.selectFrom("jobs").select((eb) => eb.fn.min("run_at").as("at")).where("state", "=", "queued").where("run_at", ">", vt.clock.now()).executeTakeFirst();
    const candidates = [vt.nextWake, held?.at === null || held?.at === undefined ? undefined : Number(held.at)].filter((x): x is number => x !== undefined);
    if (candidates.length === 0) throw new Error("nothing left to happen, and not done");
    vt.advanceTo(Math.min(...candidates));
    t.core.app.jobs.pump();
  }
  throw new Error("runVirtual: too many steps");
}
