/** Retry of a failed cluster resumes at the failed step when the run's VMs were kept, else starts over; delete cleans up either way. */
import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import { row } from "./helpers.ts";

let t: TestCore;
let steps: string[];
afterEach(async () => { await t?.close(); });

/** A core whose simulated driver records which steps ran; `boom` fails at `configure`. */
async function start(keepFailed: boolean): Promise<SimulatedDriver> {
  steps = [];
  const config = baseConfig() as any;
  config.infra.simulated.fail = { boom: "configure" };
  config.infra.keep_failed = keepFailed;
  let driver!: SimulatedDriver;
  t = await makeCore({
    config,
    driver: (cfg, dataDir) => {
      driver = new SimulatedDriver({ dataDir, stepMs: 0, fail: { ...cfg.infra.simulated.fail } });
      for (const m of ["prepare", "apply", "waitForSsh", "configure", "fetchKubeconfig", "destroy"] as const) {
        const original = (driver[m] as (...a: unknown[]) => Promise<unknown>).bind(driver);
        (driver as any)[m] = (...args: unknown[]) => { steps.push(m); return original(...args); };
      }
      return driver;
    },
  });
  await t.cmd("console:dan", "create boom workers=1", "console:#dsg");
  await t.idle();
  expect((await row(t, "boom")).state).toBe("failed");
  return driver;
}

async function ips(): Promise<string[]> {
  return (await t.core.app.db.k.selectFrom("ip_allocations").select("ip").orderBy("ip").execute()).map((r) => r.ip);
}

describe("retry", () => {
  it("with keep_failed, resumes at the failed step on the kept VMs and IPs", async () => {
    const driver = await start(true);
    const kept = await ips();
    expect(kept).toHaveLength(2);
    (driver as any).opts.fail = {};
    steps = [];
    const c = await row(t, "boom");
    const r = await t.press("console:dan", "retry", c.id);
    expect(r.code).toBeUndefined();
    expect(r.card.text).toContain("resumes at “Installing Kubernetes”");
    await t.idle();
    expect((await row(t, "boom")).state).toBe("ready");
    expect(steps).toEqual(["configure", "fetchKubeconfig"]);
    expect(await ips()).toEqual(kept);
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state", "last_step"]).orderBy("id").execute();
    expect(jobs).toEqual([
      { kind: "provision", state: "failed", last_step: "wait_ssh" },
      { kind: "provision", state: "succeeded", last_step: "kubeconfig" },
      { kind: "deliver", state: "succeeded", last_step: "sent" },
    ]);
    expect(t.port.sent.filter((s) => s.file)).toHaveLength(1);
  });

  it("without keep_failed, the failed run was cleaned up, so the retry starts over", async () => {
    const driver = await start(false);
    expect(await ips()).toEqual([]);
    (driver as any).opts.fail = {};
    steps = [];
    const r = await t.press("console:dan", "retry", (await row(t, "boom")).id);
    expect(r.code).toBeUndefined();
    expect(r.card.text).toContain("starts over");
    await t.idle();
    expect((await row(t, "boom")).state).toBe("ready");
    expect(steps).toEqual(["prepare", "apply", "waitForSsh", "configure", "fetchKubeconfig"]);
  });

  it("when the clean-up of a failed run itself fails, the retry does not trust the half-destroyed VMs and starts over", async () => {
    steps = [];
    const config = baseConfig() as any;
    config.infra.simulated.fail = { boom: "configure" };
    let driver!: SimulatedDriver;
    t = await makeCore({
      config,
      driver: (cfg, dataDir) => {
        driver = new SimulatedDriver({ dataDir, stepMs: 0, fail: { ...cfg.infra.simulated.fail } });
        (driver as any).destroy = async () => { throw new Error("proxmox API unreachable"); };
        const apply = driver.apply.bind(driver);
        (driver as any).apply = (...a: Parameters<typeof apply>) => { steps.push("apply"); return apply(...a); };
        return driver;
      },
    });
    await t.cmd("console:dan", "create boom workers=1", "console:#dsg");
    await t.idle();
    const c = await row(t, "boom");
    expect(c.state).toBe("failed");
    expect(c.nodes).toBeNull();
    expect(await ips()).toHaveLength(2);
    (driver as any).opts.fail = {};
    steps = [];
    expect((await t.press("console:dan", "retry", c.id)).card.text).toContain("starts over");
    await t.idle();
    expect(steps).toEqual(["apply"]);
    expect((await row(t, "boom")).state).toBe("ready");
  });

  it("a retry that fails again at the same step can be retried again", async () => {
    await start(true);
    const c = await row(t, "boom");
    expect((await t.press("console:dan", "retry", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "boom")).state).toBe("failed");
    expect((await t.press("console:dan", "retry", c.id)).card.text).toContain("resumes at “Installing Kubernetes”");
  });
});

describe("delete of a failed cluster", () => {
  it("destroys the VMs a kept failed run left and frees their IPs", async () => {
    await start(true);
    const c = await row(t, "boom");
    const stateFile = `${t.dataDir}/workspaces/${c.id}/simulated-state.json`;
    expect(existsSync(stateFile)).toBe(true);
    expect((await t.press("console:dan", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "boom")).state).toBe("deleted");
    expect(existsSync(stateFile)).toBe(false);
    expect(await ips()).toEqual([]);
  });

  it("succeeds when the failed run was already cleaned up (nothing left to destroy)", async () => {
    await start(false);
    const c = await row(t, "boom");
    expect((await t.press("console:dan", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "boom")).state).toBe("deleted");
    expect(await ips()).toEqual([]);
  });
});
