/**
 * Class sessions: one cluster per student, created in one transaction with the session record. Each cluster is
 * inserted and moved on with the lifecycle's `approve` (the instructor's command is the approval), its provision
 * job held until the planned start; the whole session is checked against quota, per-person limits and the IP
 * pool before anything is queued, and rolled back with the numbers when it does not fit.
 */
import type { Kysely } from "kysely";
import type { App } from "./app.ts";
import type { ClassSession, Cluster, Database } from "../db/schema.ts";
import type { TenantConfig } from "../config/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { sizeConfig, tenantConfig } from "../config/lookup.ts";
import { done, refuse, type Outcome, type Check } from "../kernel/outcome.ts";
import { transact } from "../db/tx.ts";
import { newClusterId, newSessionId } from "../util/ids.ts";
import { audit } from "../audit.ts";
import { describeSpan, formatDuration } from "../config/duration.ts";
import { formatZoned } from "../util/local-time.ts";
import { insertCluster } from "./lifecycle.ts";
import { reserveAndQueue } from "./reserve.ts";
import { usageOf, userClusterCount } from "./quota.ts";
import { findLiveCluster } from "./repo.ts";
import { checkSessionPerUser, checkSessionQuota } from "./class-fit.ts";
import { estimateProvisionMs } from "./provision-estimate.ts";
import { planSession, type SchedulePlan } from "./class-schedule.ts";
import { findActiveSession, memberClusterName, memberNumber, sessionClusters } from "./class-repo.ts";

/** Largest class: cluster names end in a two-digit number. */
export const MAX_SESSION_CLUSTERS = 99;
/** How far ahead a lab may start: the clusters hold quota and addresses from the moment the session is made. */
export const MAX_LEAD_MS = 30 * 86_400_000;

export interface SessionRequest {
  tenantId: string;
  tenant: TenantConfig;
  name: string;
  workers: number;
  size: string;
  ttlMs: number;
  /** When the lab starts; undefined = now. */
  startsAt?: number;
  /** One identity per student, in member order. */
  students: readonly string[];
  channel: string;
}

type Made = Check & { session?: ClassSession };

/** Creates the session and its clusters (or refuses with the numbers), and says when provisioning starts and ends. */
export async function createSession(app: App, p: Principal, r: SessionRequest): Promise<Outcome> {
  const now = app.clock.now();
  const startsAt = r.startsAt ?? now;
  if (r.students.length === 0) return refuse("class.empty", `${r.tenantId} has no students to give a cluster to; grant the student role first, or name them with for=`);
  if (r.students.length > MAX_SESSION_CLUSTERS) return refuse("class.too_big", `a class session has at most ${MAX_SESSION_CLUSTERS} clusters; this one would have ${r.students.length}`);
  if (r.startsAt !== undefined && r.startsAt <= now) return refuse("class.at_past", `at= names ${formatZoned(r.startsAt, r.tenant.timezone)}, which has passed; give a later time, or leave at= out to start now`);
  if (startsAt - now > MAX_LEAD_MS) return refuse("class.at_far", `at= is more than ${formatDuration(MAX_LEAD_MS)} ahead; the clusters would hold the quota and IP addresses all that time. Create the session closer to the lab`);
  const size = sizeConfig(app.config, r.size)!; // the parser accepts configured sizes only
  const estimate = await estimateProvisionMs(app, r.size, r.workers);
  const plan = planSession(r.students.length, estimate.ms, app.config.queue.max_parallel_jobs, startsAt, now);
  const shape = { workers: r.workers, vcpus: size.vcpus, memory_mb: size.memory_mb };
  const session: ClassSession = {
    id: newSessionId(), tenant: r.tenantId, name: r.name, instructor: p.identity, channel: r.channel,
    workers: r.workers, size: r.size, ttl_ms: r.ttlMs, starts_at: startsAt, provision_at: plan.provisionAt,
    estimate_ms: plan.estimateMs, root_ref: null, root_shown: null, state: "active", created_at: now, updated_at: now,
  };

  const made = await transact(app.db, async (trx): Promise<Made> => {
    if (await findActiveSession(trx, r.tenantId, r.name)) return { ok: false, code: "class.exists", message: `${r.tenantId} already has a class session named ${r.name}; see /cluster class status ${r.name}` };
    for (let i = 1; i <= r.students.length; i++) {
      const taken = await findLiveCluster(trx, r.tenantId, memberClusterName(r.name, i));
      if (taken) return { ok: false, code: "cluster.exists", message: `${r.tenantId} already has a cluster named ${taken.name}; pick another session name` };
    }
    const quota = checkSessionQuota(r.tenantId, r.tenant, await usageOf(trx, r.tenantId), shape, r.students.length);
    if (!quota.ok) return quota;
    const held = new Map<string, number>();
    for (const s of r.students) held.set(s, await userClusterCount(trx, r.tenantId, app.directory.identitiesOf(s)));
    const perUser = checkSessionPerUser(r.tenantId, r.tenant, held, (id) => app.directory.label(id));
    if (!perUser.ok) return perUser;
    await trx.insertInto("class_sessions").values(session).execute();
    for (const [i, student] of r.students.entries()) {
      const queued = await addCluster(app, trx, session, student, i + 1, size, now);
      if (!queued.ok) return { ...queued, message: doesNotFit(queued, i, r.students.length, r.workers) };
    }
    await audit(trx, now, {
      actor: p, tenant: r.tenantId, action: "class.create", target: r.name,
      detail: `${r.students.length} clusters, workers=${r.workers} size=${r.size} ttl=${formatDuration(r.ttlMs)}, starts ${formatZoned(startsAt, "UTC")}, provisioning from ${formatZoned(plan.provisionAt, "UTC")}`,
    });
    return { ok: true, session };
  }, (m) => m.ok);

  if (!made.ok) {
    await audit(app.db.k, now, { actor: p, tenant: r.tenantId, action: "class.create", target: r.name, outcome: "failure", detail: made.code });
    return refuse(made.code, made.message);
  }
  app.notifier.sessionChanged(session.id);
  app.jobs.pump();
  return done(plannedCard(session, r, plan, estimate.basis, r.startsAt !== undefined, now));
}

/** Adds a student who joined later: one more cluster, `<session>-NN`, held until the session's planned start like the others. */
export async function addToSession(app: App, p: Principal, session: ClassSession, student: string): Promise<Outcome> {
  const now = app.clock.now();
  const size = sizeConfig(app.config, session.size);
  if (!size) return refuse("class.size_gone", `the size ${session.size} of ${session.name} is no longer configured`);
  const clusters = await sessionClusters(app.db.k, session.id);
  const person = app.directory.identitiesOf(student);
  const has = clusters.find((c) => person.includes(c.owner) && !["deleted", "rejected"].includes(c.state));
  if (has) return refuse("class.already_in", `${app.directory.label(student)} already has ${has.name} in ${session.name}`);
  const n = Math.max(0, ...clusters.map((c) => memberNumber(session.name, c.name))) + 1;
  if (n > MAX_SESSION_CLUSTERS) return refuse("class.too_big", `${session.name} has used all ${MAX_SESSION_CLUSTERS} cluster numbers`);
  const added = await transact(app.db, async (trx): Promise<Check & { cluster?: Cluster }> => {
    const name = memberClusterName(session.name, n);
    if (await findLiveCluster(trx, session.tenant, name)) return { ok: false, code: "cluster.exists", message: `${session.tenant} already has a cluster named ${name}` };
    const queued = await addCluster(app, trx, session, student, n, size, now);
    if (!queued.ok) return queued;
    await audit(trx, now, { actor: p, tenant: session.tenant, action: "class.add", target: session.name, detail: `${name} for ${student}` });
    return queued;
  }, (m) => m.ok);
  if (!added.ok) return refuse(added.code, added.message);
  app.notifier.sessionChanged(session.id);
  app.jobs.pump();
  const when = session.provision_at > now ? `provisioning starts ${formatZoned(session.provision_at, tz(app, session))} with the rest of the session` : "it is queued now";
  return done({ title: `${added.cluster!.name} added to ${session.name}`, text: `For ${app.directory.label(student)}; ${when}. They get the kubeconfig by direct message when it is ready.`, tone: "success" });
}

/** Inserts the session's n-th cluster for `student` and approves it: quota, per-person limit, IP block and a provision job held until the planned start. */
async function addCluster(app: App, trx: Kysely<Database>, s: ClassSession, student: string, n: number,
  size: { vcpus: number; memory_mb: number; disk_gb: number }, now: number): Promise<Check & { cluster?: Cluster }> {
  const cluster = await insertCluster(trx, {
    id: newClusterId(), tenant: s.tenant, name: memberClusterName(s.name, n), owner: student,
    workers: s.workers, size: s.size, vcpus: size.vcpus, memory_mb: size.memory_mb, disk_gb: size.disk_gb, ttl_ms: s.ttl_ms,
    channel: s.channel, root_ref: null, nodes: null, expires_at: null, ready_at: null, failure: null, session_id: s.id,
    created_at: now, updated_at: now,
  });
  const queued = await reserveAndQueue(app, trx, cluster, "approve", s.provision_at);
  return queued.ok ? { ok: true, cluster } : queued;
}

/** The refusal when the i-th cluster (0-based) of a session did not fit after the whole-session checks passed. */
function doesNotFit(c: Extract<Check, { ok: false }>, fitted: number, count: number, workers: number): string {
  if (c.code === "ippool.exhausted") {
    return `${fitted} of these ${count} clusters fit in the department's IP pool: each needs ${workers + 1} consecutive free address${workers === 0 ? "" : "es"}, and after ${fitted} none are left. Try fewer workers (workers=0 needs one address each), or name fewer students with for=`;
  }
  return `${fitted} of these ${count} clusters fit: ${c.message}`;
}

function tz(app: App, s: ClassSession): string {
  return tenantConfig(app.config, s.tenant)?.timezone ?? "UTC";
}

/** What the instructor sees after `class create`: the plan, and a warning when the lab starts before the clusters can be ready. */
function plannedCard(s: ClassSession, r: SessionRequest, plan: SchedulePlan, basis: string, scheduled: boolean, now: number) {
  const zone = r.tenant.timezone;
  const count = r.students.length;
  const each = r.workers === 0 ? `control plane only, ${r.size}` : `1 + ${r.workers} ${r.size} nodes`;
  const rounds = Math.ceil(count / plan.slots);
  const perCluster = Math.round((plan.readyBy - plan.provisionAt) / rounds);
  const how = `estimate ${describeSpan(plan.estimateMs)}: ${rounds} round${rounds === 1 ? "" : "s"} of up to ${plan.slots} at once, each ${perCluster < 60_000 ? "under a minute" : `about ${describeSpan(perCluster)}`} (from ${basis}), plus a margin`;
  const fields = [
    { label: "Clusters", value: `${count} (${memberClusterName(s.name, 1)} … ${memberClusterName(s.name, count)}), ${each}, ${formatDuration(r.ttlMs)} each` },
    ...(scheduled ? [{ label: "Lab starts", value: formatZoned(s.starts_at, zone) }] : []),
    { label: "Provisioning starts", value: s.provision_at > now ? formatZoned(s.provision_at, zone) : "now" },
    { label: "All ready by", value: `about ${formatZoned(plan.readyBy, zone)}` },
  ];
  const after = "Each student gets their kubeconfig by direct message when their cluster is ready; the session's message in this channel counts ready / total.";
  if (scheduled && !plan.inTime) {
    return {
      title: `Class session ${s.name}: ${count} clusters, not all ready by the start`, tone: "warning" as const, fields,
      text: `Too little time: provisioning starts now, and the last cluster is expected ${plan.readyBy > s.starts_at
        ? `about ${describeSpan(plan.readyBy - s.starts_at)} after the lab starts` : "only just before the lab starts, with no margin"} (${how}). ${after}`,
    };
  }
  return { title: `Class session ${s.name}: ${count} clusters`, tone: "success" as const, fields, text: `${scheduled ? `Ready by the start: ${how}.` : `Starting now: ${how}.`} ${after}` };
}
