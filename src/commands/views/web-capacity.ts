/** The admins' page: the IP pool, usage against quotas per tenant, recent jobs with step durations, recent failures. */
import type { App } from "../../clusters/app.ts";
import type { Principal } from "../../tenants/directory.ts";
import type { CapacityView, FailureView, JobView, WebRead } from "../../kernel/web-port.ts";
import { parseRange } from "../../ippool/ipv4.ts";
import { quotaLines } from "./web-tenant.ts";

const JOBS_SHOWN = 30;
const FAILURES_SHOWN = 10;
const TAIL_LINES = 15;

/** Capacity across tenants, for admins only. */
export async function capacityView(app: App, p: Principal): Promise<WebRead<CapacityView>> {
  if (!p.admin) return { ok: false, code: "rbac.denied", message: "only admins can see capacity across tenants" };
  const range = parseRange(app.config.network.pool);
  const total = range ? range.last - range.first + 1 : 0;
  const used = Number((await app.db.k.selectFrom("ip_allocations").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  const tenants = [];
  for (const [id, t] of Object.entries(app.config.tenants)) tenants.push({ tenant: id, name: t.name, usage: await quotaLines(app, id) });

  const jobs = await app.db.k.selectFrom("jobs").leftJoin("clusters", "clusters.id", "jobs.cluster_id")
    .select(["jobs.id", "jobs.kind", "jobs.tenant", "jobs.state", "jobs.created_at", "jobs.finished_at", "jobs.last_error", "jobs.log_tail", "jobs.current_step", "jobs.last_step", "clusters.name"])
    .where("jobs.kind", "in", ["provision", "cleanup", "destroy"]).orderBy("jobs.id", "desc").limit(JOBS_SHOWN).execute();
  const ids = jobs.map((j) => j.id);
  const steps = ids.length ? await app.db.k.selectFrom("job_steps").selectAll().where("job_id", "in", ids).orderBy("started_at").execute() : [];
  const jobViews: JobView[] = jobs.map((j) => ({
    id: j.id, kind: j.kind, tenant: j.tenant, cluster: j.name ?? "?", state: j.state, createdAt: j.created_at, finishedAt: j.finished_at ?? undefined,
    steps: steps.filter((s) => s.job_id === j.id).map((s) => ({ step: s.step, ms: s.finished_at === null ? undefined : s.finished_at - s.started_at })),
  }));
  const failures: FailureView[] = jobs.filter((j) => j.state === "failed").slice(0, FAILURES_SHOWN).map((j) => ({
    cluster: j.name ?? "?", tenant: j.tenant, at: j.finished_at ?? j.created_at, kind: j.kind,
    step: j.current_step ?? undefined,
    error: app.redactor.redact(j.last_error ?? "failed"),
    // Stored redacted; redacted again here in case a secret became known after the line was written.
    logTail: j.log_tail ? app.redactor.redact(j.log_tail.split("\n").slice(-TAIL_LINES).join("\n")) : undefined,
  }));
  return { ok: true, value: { pool: { total, used, free: Math.max(0, total - used) }, tenants, jobs: jobViews, failures } };
}
