/** The audit log: every state-changing action, who did it, and how it ended. */
import type { Kysely } from "kysely";
import type { AuditEntry, Database } from "./db/schema.ts";

/** Who acted: an identity, with the platform its command came from (a principal carries both). */
export interface Actor {
  identity: string;
  source?: string;
}

export interface AuditRecord {
  /** An identity or "labforge" (the bot's own work), or the principal who acted (its source is recorded too). */
  actor: string | Actor;
  tenant?: string | null;
  action: string;
  target?: string | null;
  outcome?: "ok" | "failure" | "error";
  detail?: string | null;
  /** Where it came from (a platform: slack, discord, console, web); by default the acting principal's source. */
  source?: string | null;
}

/** Appends one entry to the audit log. */
export async function audit(db: Kysely<Database>, now: number, r: AuditRecord): Promise<void> {
  const who: Actor = typeof r.actor === "string" ? { identity: r.actor } : r.actor;
  await db.insertInto("audit").values({
    at: now, actor: who.identity, tenant: r.tenant ?? null, action: r.action, target: r.target ?? null,
    outcome: r.outcome ?? "ok", detail: r.detail ?? null,
    source: r.source ?? who.source ?? null,
  }).execute();
}

/** The latest entries, newest first, for a tenant and optionally one target. */
export async function recentAudit(db: Kysely<Database>, tenant: string, target?: string, limit = 20): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit").selectAll().where("tenant", "=", tenant);
  if (target) q = q.where("target", "=", target);
  return q.orderBy("id", "desc").limit(limit).execute();
}
