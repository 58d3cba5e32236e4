/**
 * `rebuild <name>` (confirmed with a button): destroys the VMs and builds them again with the same name and addresses.
 * The rebuild job destroys the VMs and forgets the old nodes, kubeconfig and namespace access; it then queues a
 * provision job on the kept addresses, whose `ready` queues the new kubeconfig's DM. The expiry does not move.
 */
import { tenantConfig } from "../config/lookup.ts";
import type { App } from "./app.ts";
import type { Cluster } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import type { JobRunner } from "../jobs/queue.ts";
import type { Card } from "../kernel/cards.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { audit } from "../audit.ts";
import { enqueueJob } from "../jobs/repo.ts";
import { move } from "./lifecycle.ts";
import { checkCost, usageOf } from "./quota.ts";
import { getCluster, setNodes } from "./repo.ts";
import { moveAndQueue } from "./day2-queue.ts";
import { day2Runner } from "./day2-runner.ts";
import { STEP_TIMEOUT_MS } from "./step-timeouts.ts";

/** The confirmation card `rebuild <name>` answers with. */
export function confirmRebuildCard(c: Pick<Cluster, "id" | "name" | "workers">): Card {
  return {
    title: `Rebuild ${c.name}?`,
    text: `This destroys its ${c.workers + 1} VM${c.workers === 0 ? "" : "s"} and everything on them (workloads, namespaces, volumes) and builds a fresh cluster on the same IP addresses. The old kubeconfig stops working; the new one comes by direct message.`,
    tone: "warning",
    buttons: [
      { label: "Rebuild", action: "rebuild.confirm", value: c.id, style: "danger" },
      { label: "Keep it", action: "rebuild.cancel", value: c.id },
    ],
  };
}

/** Checks who may rebuild and from which state; undefined when the rebuild may go ahead. */
export function rebuildRefusal(p: Principal, c: Cluster): Outcome | undefined {
  const allowed = requireOwnerOr(p, c, "ta", `rebuild ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (c.state !== "ready" && c.state !== "stopped") return refuse("cluster.not_ready", `${c.name} is ${c.state.replace("_", " ")}; only a ready or stopped cluster can be rebuilt`);
  return undefined;
}

/** Carries out a confirmed rebuild; a stopped cluster needs room in the vCPU and memory quotas again. */
export async function confirmRebuild(app: App, p: Principal, clusterId: string): Promise<Outcome> {
  const c = await getCluster(app.db.k, clusterId);
  if (!c || c.state === "deleted" || c.state === "rejected") return refuse("cluster.not_found", "that cluster no longer exists");
  const refusal = rebuildRefusal(p, c);
  if (refusal) return refusal;
  const tenant = tenantConfig(app.config, c.tenant);
  if (!tenant) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured`);
  const now = app.clock.now();
  const r = await transact(app.db, async (trx): Promise<{ ok: true } | { ok: false; code: string; message: string }> => {
    if (c.state === "stopped") {
      const nodes = c.workers + 1;
      const quota = checkCost(c.tenant, tenant, await usageOf(trx, c.tenant), { clusters: 0, nodes: 0, vcpus: nodes * c.vcpus, memory_gb: (nodes * c.memory_mb) / 1024 }, `rebuilding ${c.name}`);
      if (!quota.ok) return quota;
    }
    const m = await moveAndQueue(trx, c, "rebuild", "rebuild", p, now, { fields: { failure: null } });
    return m.ok ? { ok: true } : { ok: false, code: "cluster.changed", message: `${c.name} changed meanwhile; look at /cluster status ${c.name}` };
  }, (x) => x.ok);
  if (!r.ok) return refuse(r.code, r.message);
  app.notifier.clusterChanged(c.id);
  app.notifier.thread(c.id, { title: "↻ Rebuilding", text: `${app.directory.label(p.identity)} asked for a rebuild: the VMs are destroyed and built again on the same addresses.`, tone: "warning" });
  app.jobs.pump();
  return done({ title: `Rebuilding ${c.name}`, text: "The VMs are destroyed and built again on the same IP addresses; the new kubeconfig comes by direct message.", tone: "info" });
}

/** The runner for rebuild jobs: destroy the VMs (keeping the addresses), then hand over to a provision job. */
export function rebuildRunner(app: App): JobRunner {
  return day2Runner(app, {
    state: "queued", what: () => "rebuild",
    steps: () => [{
      name: "destroy", label: "Destroying the old VMs", timeoutMs: STEP_TIMEOUT_MS.destroy,
      run: async (d, ctx) => {
        await app.driver.destroy(d.spec, ctx);
        await setNodes(app.db.k, d.cluster.id, null);
      },
    }],
    finish: async (trx, d, now) => {
      const c = d.cluster;
      // The old cluster's credentials and ServiceAccounts are gone with its VMs.
      await trx.deleteFrom("kubeconfigs").where("cluster_id", "=", c.id).execute();
      await trx.deleteFrom("namespace_access").where("cluster_id", "=", c.id).execute();
      await enqueueJob(trx, {
        kind: "provision", clusterId: c.id, tenant: c.tenant, owner: c.owner, now,
        dedupeKey: `provision:${c.id}:rebuild:${d.job.id}`, payload: { rebuild: true },
      });
      await audit(trx, now, { actor: "labforge", tenant: c.tenant, action: "cluster.rebuild_destroyed", target: c.name });
      const still = await trx.selectFrom("clusters").selectAll().where("id", "=", c.id).executeTakeFirstOrThrow();
      return still.state === "queued" ? { ok: true, from: "queued", cluster: still } : { ok: false, code: "cluster.transition", message: `the cluster is ${still.state}`, state: still.state };
    },
    doneCard: () => ({ title: "✓ Old VMs destroyed", text: "Building the cluster again on the same addresses.", tone: "info" }),
    // The old VMs may be half gone: the cluster is failed and its clean-up job destroys what is left.
    afterFailure: "its clean-up destroys what is left, then Retry builds it again",
    fail: async (trx, d, now, reason) => {
      const m = await move(trx, d.cluster.id, "fail", now, { failure: reason });
      if (m.ok && !app.config.infra.keep_failed) {
        await enqueueJob(trx, { kind: "cleanup", clusterId: d.cluster.id, tenant: d.cluster.tenant, owner: d.cluster.owner, now, dedupeKey: `cleanup:${d.cluster.id}:${d.job.id}`, maxAttempts: 3 });
      }
      return m;
    },
  });
}
