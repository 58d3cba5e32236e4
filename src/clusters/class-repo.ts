/** Class session records: lookups and the columns outside the cluster state machine. */
import type { Kysely } from "kysely";
import type { ClassSession, Cluster, Database } from "../db/schema.ts";

/** The tenant's active session of that name. */
export async function findActiveSession(db: Kysely<Database>, tenant: string, name: string): Promise<ClassSession | undefined> {
  return db.selectFrom("class_sessions").selectAll().where("tenant", "=", tenant).where("name", "=", name).where("state", "=", "active").executeTakeFirst();
}

/** A session by id. */
export async function getSession(db: Kysely<Database>, id: string): Promise<ClassSession | undefined> {
  return db.selectFrom("class_sessions").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Every cluster a session ever had, in name order (`lab5-01`, `lab5-02`, …). */
export async function sessionClusters(db: Kysely<Database>, sessionId: string): Promise<Cluster[]> {
  return db.selectFrom("clusters").selectAll().where("session_id", "=", sessionId).orderBy("name").orderBy("created_at").execute();
}

/** Remembers the session's root message and the digest of the card it was posted with. */
export async function setSessionRoot(db: Kysely<Database>, id: string, ref: string, shown: string): Promise<void> {
  await db.updateTable("class_sessions").set({ root_ref: ref, root_shown: shown }).where("id", "=", id).execute();
}

/** Remembers which card the session's root message shows now (a digest), once its update has landed. */
export async function setSessionShown(db: Kysely<Database>, id: string, shown: string): Promise<void> {
  await db.updateTable("class_sessions").set({ root_shown: shown }).where("id", "=", id).execute();
}

/** The name of a session's n-th cluster: `lab5-01`. */
export function memberClusterName(session: string, n: number): string {
  return `${session}-${String(n).padStart(2, "0")}`;
}

/** The number in a session cluster's name (`lab5-07` → 7), or 0 when it has none. */
export function memberNumber(session: string, clusterName: string): number {
  const m = new RegExp(`^${session}-([0-9]{2,})$`).exec(clusterName);
  return m ? Number(m[1]) : 0;
}
