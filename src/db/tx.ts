/** Transactions that roll back when the work inside returns a refusal. */
import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";
import type { Db } from "./open.ts";

class Rollback<T> extends Error {
  constructor(readonly result: T) { super("rollback"); }
}

/** Runs `work` in one transaction; commits when `keep(result)` is true, rolls back (and still returns the result) otherwise. */
export async function transact<T>(db: Db, work: (trx: Kysely<Database>) => Promise<T>, keep: (result: T) => boolean): Promise<T> {
  try {
    return await db.k.transaction().execute(async (trx) => {
      const result = await work(trx);
      if (!keep(result)) throw new Rollback(result);
      return result;
    });
  } catch (e) {
    if (e instanceof Rollback) return e.result as T;
    throw e;
  }
}
