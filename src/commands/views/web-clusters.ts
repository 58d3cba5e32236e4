/** Cluster read models for the web page: state, progress, nodes, expiry, and which buttons the caller may press. */
import type { App } from "../../clusters/app.ts";
import type { Cluster, Job } from "../../db/schema.ts";
import type { Principal } from "../../tenants/directory.ts";
import type { ClusterView, QueueEntry } from "../../kernel/web-port.ts";
import { LIVE_STATES, nodesOf } from "../../clusters/repo.ts";
import { STATE_TEXT, progressOf, shapeOf } from "../../clusters/render.ts";
import { requireOwnerOr } from "../../tenants/rbac.ts";
import { STEP_LABELS, type ProvisionStep } from "../../provisioning/driver.ts";

const MAX_SHOWN = 200;

/** The jobs that run or wait, with positions, as the `queue` command shows them. */
export async function queueSnapshot(app: App): Promise<{ entries: QueueEntry[]; jobOf: Map<string, Job>; positionOf: Map<string, number> }> {
  const { running, queued } = await app.jobs.snapshot();
  const ids = [...new Set([...running, ...queued].map((j) => j.cluster_id))];
  const names = new Map((ids.length ? await app.db.k.selectFrom("clusters").select(["id", "name"]).where("id", "in", ids).execute() : []).map((c) => [c.id, c.name]));
  const entry = (j: Job, position?: number): QueueEntry => ({
    position, kind: j.kind, tenant: j.tenant, cluster: names.get(j.cluster_id) ?? j.cluster_id, owner: j.owner,
    step: j.current_step ? STEP_LABELS[j.current_step as ProvisionStep] ?? j.current_step : undefined,
  });
  const jobOf = new Map<string, Job>();
  for (const j of [...queued, ...running]) if (j.kind === "provision") jobOf.set(j.cluster_id, j);
  const positionOf = new Map<string, number>();
  queued.forEach((j, i) => { if (!positionOf.has(j.cluster_id)) positionOf.set(j.cluster_id, i + 1); });
  return { entries: [...running.map((j) => entry(j)), ...queued.map((j, i) => entry(j, i + 1))], jobOf, positionOf };
}

/** One cluster for the caller; the `can` flags mirror the core's checks so the page offers only what would work. */
export function clusterView(app: App, p: Principal, c: Cluster, job: Job | undefined, position: number | undefined): ClusterView {
  const may = (min: "ta" | "instructor") => requireOwnerOr(p, c, min, "act").ok;
  return {
    id: c.id, tenant: c.tenant, name: c.name, state: c.state, stateText: STATE_TEXT[c.state], owner: c.owner,
    ownerLabel: app.directory.label(c.owner), shape: shapeOf(c),
    progress: c.state === "provisioning" || c.state === "queued" ? progressOf(job) : undefined,
    nodes: c.state === "deleted" ? [] : nodesOf(c).map((n) => ({ name: n.name, role: n.role, ip: n.ip })),
    createdAt: c.created_at, expiresAt: c.expires_at ?? undefined,
    failure: c.failure ? app.redactor.redact(c.failure) : undefined,
    queuePosition: position,
    workers: c.workers,
    can: {
      extend: c.state === "ready" && may("instructor"),
      delete: ["queued", "provisioning", "ready", "failed", "stopped", "stopping", "starting", "scaling"].includes(c.state) && may("ta"),
      retry: c.state === "failed" && may("ta"),
      kubeconfig: c.state === "ready" && may("instructor"),
      // Day-2 (docs/day2.md): the same rules as the commands, which check again.
      stop: c.state === "ready" && may("ta"),
      start: c.state === "stopped" && may("ta"),
      scale: c.state === "ready" && may("ta"),
      rebuild: (c.state === "ready" || c.state === "stopped") && may("ta"),
    },
  };
}

/** Live clusters owned by the person (any of their identities), of one tenant, or one by id; newest last. */
export async function clusterViews(app: App, p: Principal, where: { owners: readonly string[] } | { tenant: string } | { id: string }): Promise<ClusterView[]> {
  let q = app.db.k.selectFrom("clusters").selectAll().where("state", "in", LIVE_STATES);
  q = "owners" in where ? q.where("owner", "in", where.owners) : "tenant" in where ? q.where("tenant", "=", where.tenant) : q.where("id", "=", where.id);
  const rows = await q.orderBy("created_at").limit(MAX_SHOWN).execute();
  const { jobOf, positionOf } = await queueSnapshot(app);
  return rows.map((c) => clusterView(app, p, c, jobOf.get(c.id), positionOf.get(c.id)));
}
