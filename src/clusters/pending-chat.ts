/**
 * Chat messages nobody waits for (thread replies, notices by DM), kept from when they are made until the platform was
 * handed them or refused them, so a crash while they wait behind rate limits loses none.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import type { Card } from "../kernel/cards.ts";

/** A reply in a cluster's thread (`target` the cluster id) or a notice by DM (`target` the identity). */
export interface PendingChat { kind: "thread" | "dm"; target: string; card: Card; routine: boolean }
export interface SavedChat extends PendingChat { id: number }

/** Saves a message before it is queued. */
export async function saveChat(db: Kysely<Database>, m: PendingChat, now: number): Promise<number> {
  const row = await db.insertInto("pending_chat")
    .values({ kind: m.kind, target: m.target, card: JSON.stringify(m.card), routine: m.routine ? 1 : 0, created_at: now })
    .returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Forgets a message the platform was handed (or refused). */
export async function dropChat(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom("pending_chat").where("id", "=", id).execute();
}

/** The messages an earlier process saved but never handed over, oldest first. */
export async function savedChat(db: Kysely<Database>): Promise<SavedChat[]> {
  const rows = await db.selectFrom("pending_chat").selectAll().orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, target: r.target, card: JSON.parse(r.card) as Card, routine: r.routine === 1 }));
}
