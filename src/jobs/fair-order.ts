/** Fair ordering of queued jobs: destroys and clean-ups first, then each party's k-th job before anyone's (k+1)-th. */
import type { Job } from "../db/schema.ts";

type Party = { owner: string; tenant: string; session_id?: string | null };
type Queued = Pick<Job, "id" | "kind" | "created_at"> & Party;

/** Whose work a job is: a class session's jobs are one party (the instructor's one order), anything else its owner's. */
function partyOf(j: Party): string {
  return j.session_id ? `session:${j.session_id}` : `owner:${j.owner}`;
}

/**
 * Orders queued jobs so one student's five requests do not starve a classmate's one, and a class session of 40
 * counts as one party's 40 jobs, not 40 students' first ones: a job's rank is how many jobs of the same party run
 * or wait before it; ties go to the tenant with fewer jobs ahead, then to the oldest.
 */
export function fairOrder<T extends Queued>(queued: readonly T[], running: readonly Party[]): T[] {
  const perParty = new Map<string, number>();
  const perTenant = new Map<string, number>();
  for (const r of running) {
    perParty.set(partyOf(r), (perParty.get(partyOf(r)) ?? 0) + 1);
    perTenant.set(r.tenant, (perTenant.get(r.tenant) ?? 0) + 1);
  }
  const ranked = [...queued].sort((a, b) => a.id - b.id).map((job) => {
    const partyRank = perParty.get(partyOf(job)) ?? 0;
    const tenantRank = perTenant.get(job.tenant) ?? 0;
    perParty.set(partyOf(job), partyRank + 1);
    perTenant.set(job.tenant, tenantRank + 1);
    return { job, partyRank, tenantRank };
  });
  ranked.sort((a, b) =>
    priority(a.job.kind) - priority(b.job.kind)
    || a.partyRank - b.partyRank
    || a.tenantRank - b.tenantRank
    || a.job.id - b.job.id);
  return ranked.map((r) => r.job);
}

/**
 * True when a class session may take one more of the `concurrency` infrastructure slots: always for a job of no
 * session, and for a session's job unless the session already holds `concurrency - 1` of them while other work
 * waits (so individual requests keep moving beside a class of 40).
 */
export function sessionMayTakeSlot(job: Pick<Job, "session_id">, sessionRunning: number, concurrency: number, othersWaiting: boolean): boolean {
  if (!job.session_id || !othersWaiting) return true;
  return sessionRunning < concurrency - 1;
}

/** Work that frees hardware (destroys and clean-ups) goes before work that takes it. */
function priority(kind: Job["kind"]): number {
  return kind === "destroy" || kind === "cleanup" ? 0 : 1;
}
