/** The audit log: every state-changing action, who did it, and how it ended. */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Kysely } from "kysely";
import type { AuditEntry, Database } from "./db/schema.ts";

export interface AuditRecord {
  actor: string;
  tenant?: string | null;
  action: string;
  target?: string | null;
  outcome?: "ok" | "failure" | "error";
  detail?: string | null;
  /** Where it came from; by default the source of the command being handled (see `withAuditSource`). */
  source?: string | null;
}

// The source of the command being handled, so every entry it writes, however deep, says where it came from.
const currentSource = new AsyncLocalStorage<string>();

/** Runs `work` so that the audit entries it writes record `source` (a platform: slack, discord, console, web). */
export function withAuditSource<T>(source: string, work: () => T): T {
  return currentSource.run(source, work);
}

/** Runs `work` outside any command's source: a job's entries are the bot's own, whoever queued it. */
export function withoutAuditSource<T>(work: () => T): T {
  return currentSource.exit(work);
}

/** Appends one entry to the audit log. */
export async function audit(db: Kysely<Database>, now: number, r: AuditRecord): Promise<void> {
  await db.insertInto("audit").values({
    at: now, actor: r.actor, tenant: r.tenant ?? null, action: r.action, target: r.target ?? null,
    outcome: r.outcome ?? "ok", detail: r.detail ?? null,
    source: r.source ?? currentSource.getStore() ?? null,
  }).execute();
}

/** The latest entries, newest first, for a tenant and optionally one target. */
export async function recentAudit(db: Kysely<Database>, tenant: string, target?: string, limit = 20): Promise<AuditEntry[]> {
  let q = db.selectFrom("audit").selectAll().where("tenant", "=", tenant);
  if (target) q = q.where("target", "=", target);
  return q.orderBy("id", "desc").limit(limit).execute();
}
