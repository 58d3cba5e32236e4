/** Fair ordering of queued jobs: destroys and clean-ups first, then each user's k-th job before anyone's (k+1)-th. */
import type { Job } from "../db/schema.ts";

type Queued = Pick<Job, "id" | "kind" | "owner" | "tenant" | "created_at">;
type Running = Pick<Job, "owner" | "tenant">;

/**
 * Orders queued jobs so one student's five requests do not starve a classmate's one:
 * a job's rank is how many jobs of the same owner run or wait before it; ties go to
 * the tenant with fewer jobs ahead, then to the oldest.
 */
export function fairOrder<T extends Queued>(queued: readonly T[], running: readonly Running[]): T[] {
  const perOwner = new Map<string, number>();
  const perTenant = new Map<string, number>();
  for (const r of running) {
    perOwner.set(r.owner, (perOwner.get(r.owner) ?? 0) + 1);
    perTenant.set(r.tenant, (perTenant.get(r.tenant) ?? 0) + 1);
  }
  const ranked = [...queued].sort((a, b) => a.id - b.id).map((job) => {
    const ownerRank = perOwner.get(job.owner) ?? 0;
    const tenantRank = perTenant.get(job.tenant) ?? 0;
    perOwner.set(job.owner, ownerRank + 1);
    perTenant.set(job.tenant, tenantRank + 1);
    return { job, ownerRank, tenantRank };
  });
  ranked.sort((a, b) =>
    priority(a.job.kind) - priority(b.job.kind)
    || a.ownerRank - b.ownerRank
    || a.tenantRank - b.tenantRank
    || a.job.id - b.job.id);
  return ranked.map((r) => r.job);
}

/** Work that frees hardware (destroys and clean-ups) goes before work that takes it. */
function priority(kind: Job["kind"]): number {
  return kind === "destroy" || kind === "cleanup" ? 0 : 1;
}
