/**
 * A simulated driver whose steps can be held at a gate, so a test decides exactly when each step of each cluster
 * runs: deterministic scheduling for races (a delete while provisioning, a retry during clean-up).
 */
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import type { ClusterSpec, StepContext } from "../../src/provisioning/driver.ts";

type Method = "prepare" | "apply" | "waitForSsh" | "configure" | "fetchKubeconfig" | "destroy";

interface Gate {
  /** Resolves when a call has reached the gate and waits there. */
  reached: Promise<void>;
  open(): void;
}

export class GatedDriver extends SimulatedDriver {
  /** `<cluster name>:<method>` in the order they were entered. */
  readonly calls: string[] = [];
  private readonly gates = new Map<string, { reached: () => void; opened: Promise<void> }>();

  constructor(dataDir: string, fail: Record<string, string> = {}) {
    super({ dataDir, stepMs: 0, fail });
    for (const m of ["prepare", "apply", "waitForSsh", "configure", "fetchKubeconfig", "destroy"] as const) {
      const original = (this[m] as (...a: unknown[]) => Promise<unknown>).bind(this);
      (this as Record<Method, unknown>)[m] = async (...args: unknown[]) => {
        const spec = args[0] as ClusterSpec;
        const ctx = args[args.length - 1] as StepContext;
        this.calls.push(`${spec.name}:${m}`);
        const g = this.gates.get(`${spec.name}:${m}`);
        if (g) {
          g.reached();
          await Promise.race([g.opened, new Promise((_, reject) => {
            if (ctx.signal.aborted) reject(ctx.signal.reason);
            ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
          })]);
        }
        return original(...args);
      };
    }
  }

  /** Holds `<cluster name>`'s next and later calls of `method` until the gate is opened. */
  hold(cluster: string, method: Method): Gate {
    let reached!: () => void;
    let open!: () => void;
    const reachedP = new Promise<void>((r) => { reached = r; });
    const opened = new Promise<void>((r) => { open = r; });
    const key = `${cluster}:${method}`;
    this.gates.set(key, { reached, opened });
    return { reached: reachedP, open: () => { this.gates.delete(key); open(); } };
  }
}
