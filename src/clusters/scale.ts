/**
 * `scale <name> workers=N`: adds workers (addresses allocated per node, VMs cloned, joined with a fresh token) or
 * removes the last ones (drained and deleted from Kubernetes first, then their VMs go and their addresses are freed).
 * The owner may go up to the tenant's `max_workers`, TAs and up beyond it; every quota applies to everyone.
 */
import type { Kysely } from "kysely";
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster, Database } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { hasRole, requireOwnerOr } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { audit } from "../audit.ts";
import { allocateNodes, freeFrom } from "../ippool/pool.ts";
import { move } from "./lifecycle.ts";
import { checkCost, usageOf } from "./quota.ts";
import { nodesOf, setNodes } from "./repo.ts";
import { moveAndQueue } from "./day2-queue.ts";
import { day2Runner, type Day2Context, type Day2Step } from "./day2-runner.ts";
import { STEP_TIMEOUT_MS } from "./step-timeouts.ts";

/** The most workers anyone may ask for (the schema's ceiling for `max_workers`). */
export const MAX_SCALE_WORKERS = 50;

interface ScalePayload { from: number; to: number }

/** Queues a scale of `c` to `to` workers, after the role, limit, quota and IP checks. */
export async function scaleCluster(app: App, p: Principal, c: Cluster, to: number): Promise<Outcome> {
  const allowed = requireOwnerOr(p, c, "ta", `scale ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "ready") return refuse("cluster.not_ready", `${c.name} is ${c.state.replace("_", " ")}; only a ready (running) cluster can be scaled`);
  const tenant = tenantConfig(app.config, c.tenant);
  if (!tenant) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured`);
  const max = tenant.limits.max_workers;
  if (to > MAX_SCALE_WORKERS) return refuse("limits.max_workers", `workers=${to} is out of range: at most ${MAX_SCALE_WORKERS}`);
  if (to > max && !hasRole(p, c.tenant, "ta")) {
    return refuse("limits.max_workers", `workers=${to} is out of range: ${c.tenant} allows owners 0 to ${max} workers; ask a TA or instructor to go beyond`);
  }
  // What exists, not what was last asked for: after a failed scale, the same count again converges.
  const from = Math.max(0, (nodesOf(c).length || c.workers + 1) - 1);
  const now = app.clock.now();
  const r = await transact(app.db, async (trx): Promise<{ ok: true } | { ok: false; code: string; message: string }> => {
    const more = to - c.workers;
    if (more > 0) {
      const quota = checkCost(c.tenant, tenant, await usageOf(trx, c.tenant), { clusters: 0, nodes: more, vcpus: more * c.vcpus, memory_gb: (more * c.memory_mb) / 1024 }, `${more} more worker${more === 1 ? "" : "s"}`);
      if (!quota.ok) return quota;
    }
    const ips = await allocateNodes(trx, app.config.network.pool, c.id, Math.max(to, from) + 1, now);
    if (!ips.ok) return { ok: false, code: "ippool.exhausted", message: `the department's IP pool has ${ips.free} free address${ips.free === 1 ? "" : "es"}, too few for ${to - from} more worker${to - from === 1 ? "" : "s"}; ask an admin` };
    const m = await moveAndQueue(trx, c, "scale", "scale", p, now, { fields: { workers: to }, payload: { from, to } satisfies ScalePayload, detail: `${from} → ${to} workers` });
    return m.ok ? { ok: true } : { ok: false, code: "cluster.changed", message: `${c.name} changed meanwhile; look at /cluster status ${c.name}` };
  }, (x) => x.ok);
  if (!r.ok) {
    if (r.code.startsWith("quota.") || r.code === "ippool.exhausted") await audit(app.db.k, now, { actor: p, tenant: c.tenant, action: "cluster.scale", target: c.name, outcome: "failure", detail: `${from} → ${to}: ${r.code}` });
    return refuse(r.code, r.message);
  }
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: `⇅ Scaling to ${to} worker${to === 1 ? "" : "s"}`, text: `${app.directory.label(p.identity)} asked for ${to} worker${to === 1 ? "" : "s"} (from ${from}).`, tone: "info" });
  app.jobs.pump();
  const how = to < from ? "The removed workers are drained and deleted from Kubernetes before their VMs go." : to > from ? "New workers join with a fresh token." : "Nothing to add or remove; the workers are checked again.";
  return done({ title: `Scaling ${c.name} to ${to} worker${to === 1 ? "" : "s"}`, text: `${how} The thread under its message shows each step.`, tone: "info" });
}

function payloadOf(d: Day2Context): ScalePayload {
  return JSON.parse(d.job.payload ?? "{}") as ScalePayload;
}

/** The steps for one direction: drain then remove, or add, join and wait for Ready. */
function scaleSteps(app: App, d: Day2Context): Day2Step[] {
  const { from, to } = payloadOf(d);
  const apply: Day2Step = {
    name: "apply", label: to < from ? "Removing VMs" : "Cloning VMs", timeoutMs: STEP_TIMEOUT_MS.apply,
    run: async (x, ctx) => {
      const nodes = await app.driver.apply({ ...x.spec, workers: to, ips: x.spec.ips.slice(0, to + 1) }, ctx);
      await setNodes(app.db.k, x.cluster.id, nodes);
    },
  };
  if (to < from) {
    return [
      { name: "drain", label: "Draining workers", timeoutMs: STEP_TIMEOUT_MS.configure, run: (x, ctx) => app.driver.drainWorkers(x.spec, x.nodes, x.nodes.slice(to + 1), ctx) },
      apply,
    ];
  }
  return [
    apply,
    { name: "wait_ssh", label: "Waiting for SSH", timeoutMs: STEP_TIMEOUT_MS.wait_ssh, run: (x, ctx) => app.driver.waitForSsh(x.spec, x.nodes, ctx) },
    { name: "join", label: "Joining workers", timeoutMs: STEP_TIMEOUT_MS.configure, run: (x, ctx) => app.driver.joinWorkers(x.spec, x.nodes, x.nodes.slice(from + 1), ctx) },
    { name: "nodes_ready", label: "Waiting for nodes to be Ready", timeoutMs: STEP_TIMEOUT_MS.wait_ssh, run: (x, ctx) => app.driver.waitForNodesReady(x.spec, x.nodes, ctx) },
  ];
}

/** Inside `trx`: back to ready with the workers that exist, and the addresses of those that do not freed. */
async function settle(trx: Kysely<Database>, d: Day2Context, now: number, failure: string | null) {
  const fresh = await trx.selectFrom("clusters").select("nodes").where("id", "=", d.cluster.id).executeTakeFirstOrThrow();
  const count = nodesOf(fresh).length;
  const freed = await freeFrom(trx, d.cluster.id, count);
  const m = await move(trx, d.cluster.id, "scaled", now, { workers: count - 1, failure });
  return { m, freed, workers: count - 1 };
}

/** The runner for scale jobs. */
export function scaleRunner(app: App): JobRunner {
  return day2Runner(app, {
    state: "scaling",
    what: (d) => `scale to ${payloadOf(d).to} workers`,
    steps: (d) => scaleSteps(app, d),
    finish: async (trx, d, now) => {
      const { m, freed, workers } = await settle(trx, d, now, null);
      if (m.ok) await audit(trx, now, { actor: "labforge", tenant: d.cluster.tenant, action: "cluster.scaled", target: d.cluster.name, detail: `${workers} workers; ${freed} IPs freed` });
      return m;
    },
    doneCard: (d) => {
      const { from, to } = payloadOf(d);
      return { title: `✓ Scaled to ${to} worker${to === 1 ? "" : "s"}`, text: to < from ? `${from - to} worker${from - to === 1 ? "" : "s"} drained, deleted and their addresses freed.` : `${to - from} worker${to - from === 1 ? "" : "s"} joined and Ready.`, tone: "info" };
    },
    fail: async (trx, d, now, reason) => (await settle(trx, d, now, reason)).m,
  });
}
