/**
 * `stop` and `start`: power a cluster's VMs off and on through the driver, keeping its name, IPs and kubeconfig.
 * A stopped cluster keeps counting against `clusters` and `nodes` but frees its `vcpus` and `memory_gb`, so a start
 * checks those two quotas again. After a start the cluster is ready only once every node is Ready.
 */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { audit, type Actor } from "../audit.ts";
import { move } from "./lifecycle.ts";
import { checkCost, usageOf } from "./quota.ts";
import { moveAndQueue } from "./day2-queue.ts";
import { day2Runner } from "./day2-runner.ts";

const POWER_TIMEOUT_MS = 10 * 60_000;

/** Queues a stop for `actor` (a person, or `labforge` for auto-stop); the caller has checked who may. */
export async function requestStop(app: App, actor: Actor | "labforge", c: Cluster, detail?: string): Promise<Outcome> {
  if (c.state === "stopped" || c.state === "stopping") return refuse("cluster.stopped", `${c.name} is already ${c.state}`);
  if (c.state !== "ready") return refuse("cluster.not_ready", `${c.name} is ${c.state.replace("_", " ")}; only a ready cluster can be stopped`);
  const now = app.clock.now();
  const m = await transact(app.db, (trx) => moveAndQueue(trx, c, "stop", "stop", actor, now, { detail }), (r) => r.ok);
  if (!m.ok) return refuse("cluster.changed", `${c.name} changed meanwhile (${m.state?.replace("_", " ") ?? "gone"}); look at /cluster status ${c.name}`);
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "⏻ Stopping", text: `${actor === "labforge" ? "Auto-stop" : app.directory.label(actor.identity)} asked to power the VMs off.`, tone: "info" });
  app.jobs.pump();
  return done({ title: `Stopping ${c.name}`, text: "Its VMs are being powered off; name, IPs and kubeconfig stay. /cluster start powers it on again.", tone: "info" });
}

/** `stop <name>` and the Stop button: the owner, TAs and up. */
export async function stopCluster(app: App, p: Principal, c: Cluster): Promise<Outcome> {
  const allowed = requireOwnerOr(p, c, "ta", `stop ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  return requestStop(app, p, c);
}

/** `start <name>` and the Start button: the owner, TAs and up, if the tenant's vCPU and memory quotas have room again. */
export async function startCluster(app: App, p: Principal, c: Cluster): Promise<Outcome> {
  const allowed = requireOwnerOr(p, c, "ta", `start ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state === "ready" || c.state === "starting") return refuse("cluster.running", `${c.name} is already ${c.state === "ready" ? "running" : "starting"}`);
  if (c.state !== "stopped") return refuse("cluster.not_stopped", `${c.name} is ${c.state.replace("_", " ")}; only a stopped cluster can be started`);
  const tenant = tenantConfig(app.config, c.tenant);
  if (!tenant) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured`);
  const now = app.clock.now();
  const r = await transact(app.db, async (trx) => {
    const nodes = c.workers + 1;
    const quota = checkCost(c.tenant, tenant, await usageOf(trx, c.tenant), { clusters: 0, nodes: 0, vcpus: nodes * c.vcpus, memory_gb: (nodes * c.memory_mb) / 1024 }, `starting ${c.name}`);
    if (!quota.ok) return { ok: false as const, code: quota.code, message: quota.message };
    const m = await moveAndQueue(trx, c, "start", "start", p, now);
    return m.ok ? m : { ok: false as const, code: "cluster.changed", message: `${c.name} changed meanwhile; look at /cluster status ${c.name}` };
  }, (x) => x.ok);
  if (!r.ok) {
    if (r.code.startsWith("quota.")) await audit(app.db.k, now, { actor: p, tenant: c.tenant, action: "cluster.start", target: c.name, outcome: "failure", detail: r.code });
    return refuse(r.code, r.message);
  }
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "⏻ Starting", text: `${app.directory.label(p.identity)} asked to power the VMs on.`, tone: "info" });
  app.jobs.pump();
  return done({ title: `Starting ${c.name}`, text: "Its VMs are being powered on; it is ready again once every node is Ready.", tone: "info" });
}

/** The runner for stop jobs: power off, then `stopped`. */
export function stopRunner(app: App): JobRunner {
  return day2Runner(app, {
    state: "stopping", what: () => "stop",
    steps: () => [{ name: "power_off", label: "Powering off", timeoutMs: POWER_TIMEOUT_MS, run: (d, ctx) => app.driver.power(d.spec, d.nodes, false, ctx) }],
    finish: async (trx, d, now) => {
      const m = await move(trx, d.cluster.id, "stopped", now, { auto_stop_at: null, auto_stop_warned_at: null });
      if (m.ok) await audit(trx, now, { actor: "labforge", tenant: d.cluster.tenant, action: "cluster.stopped", target: d.cluster.name });
      return m;
    },
    doneCard: (d) => ({ title: "✓ Stopped", text: `${d.cluster.name}'s VMs are off. Its vCPUs and memory no longer count against the quota; /cluster start powers it on again.`, tone: "info" }),
    fail: (trx, d, now, reason) => move(trx, d.cluster.id, "stop_failed", now, { failure: reason }),
  });
}

/** The runner for start jobs: power on, SSH, every node Ready, then `started` (auto-stop counts from here). */
export function startRunner(app: App): JobRunner {
  return day2Runner(app, {
    state: "starting", what: () => "start",
    steps: () => [
      { name: "power_on", label: "Powering on", timeoutMs: POWER_TIMEOUT_MS, run: (d, ctx) => app.driver.power(d.spec, d.nodes, true, ctx) },
      { name: "wait_ssh", label: "Waiting for SSH", timeoutMs: POWER_TIMEOUT_MS, run: (d, ctx) => app.driver.waitForSsh(d.spec, d.nodes, ctx) },
      { name: "nodes_ready", label: "Waiting for nodes to be Ready", timeoutMs: POWER_TIMEOUT_MS, run: (d, ctx) => app.driver.waitForNodesReady(d.spec, d.nodes, ctx) },
    ],
    finish: async (trx, d, now) => {
      const m = await move(trx, d.cluster.id, "started", now, { started_at: now, auto_stop_at: null, auto_stop_warned_at: null, failure: null });
      if (m.ok) await audit(trx, now, { actor: "labforge", tenant: d.cluster.tenant, action: "cluster.started", target: d.cluster.name });
      return m;
    },
    doneCard: (d) => ({ title: "✓ Started", text: `${d.cluster.name} is ready again: every node is Ready. The kubeconfig you have still works.`, tone: "info" }),
    fail: (trx, d, now, reason) => move(trx, d.cluster.id, "start_failed", now, { failure: reason }),
  });
}
