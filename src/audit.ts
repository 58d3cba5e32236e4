/** The audit log: every state-changing action, who did it, and how it ended. */
import type { Kysely } from "kysely";
import type { AuditEntry, Database } from "./db/schema.ts";

export interface AuditRecord {
  actor: string;
  tenant?: string | null;
  action: string;
  target?: string | null;
  outcome?: "ok" | "failure" | "error";
  detail?: string | null;
}

/** Appends one entry to the audit log. */
export async function audit(db: Kysely<Database>, now: number, r: AuditRecord): Promise<void> {
  await db.insertInto("audit").values({
    at: now, actor: r.actor, tenant: r.tenant ?? null, action: r.action, target: r.target ?? null,
    outcome: r.outcome ?? "ok", detail: r.detail ?? null,
  }).execute();
}

/** The latest entries, newest first, for a tenant and optionally one target. */
export async function recentAudit(db: Kysely<Database>, tenant: string, target?: string, limit = 20): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit").selectAll().where("tenant", "=", tenant);
  if (target) q = q.where("target", "=", target);
  return q.orderBy("id", "desc").limit(limit).execute();
}
