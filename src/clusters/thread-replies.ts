/** Thread replies waiting to be handed to the chat platform: saved when made, dropped once sent (or refused). */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { Card } from "../kernel/cards.ts";

export interface Reply { clusterId: string; card: Card; routine: boolean }
export interface PendingReply extends Reply { id: number }

/** Saves a reply before it is queued, so a crash while it waits behind the platform's limits does not lose it. */
export async function saveReply(db: Kysely<Database>, r: Reply, now: number): Promise<number> {
  const row = await db.insertInto("thread_replies")
    .values({ cluster_id: r.clusterId, card: JSON.stringify(r.card), routine: r.routine ? 1 : 0, created_at: now })
    .returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Forgets a reply the platform was handed. */
export async function dropReply(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom("thread_replies").where("id", "=", id).execute();
}

/** The replies a previous process made but never handed over, oldest first. */
export async function pendingReplies(db: Kysely<Database>): Promise<PendingReply[]> {
  const rows = await db.selectFrom("thread_replies").selectAll().orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, clusterId: r.cluster_id, card: JSON.parse(r.card) as Card, routine: r.routine === 1 }));
}
