/** Shared steps for the lifecycle tests: a ready cluster on a manual clock, and reading rows back. */
import { expect } from "vitest";
import type { TestCore } from "../helpers/harness.ts";
import type { Cluster } from "../../src/db/schema.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Creates `name` as `owner` (approved by Ada when cs401 needs it) and waits until it is ready. */
export async function readyCluster(t: TestCore, owner: string, name: string, opts: { tenant?: "cs401" | "dsg"; extra?: string } = {}): Promise<Cluster> {
  const tenant = opts.tenant ?? "cs401";
  const channel = `console:#${tenant}`;
  const created = await t.cmd(owner, `create ${name}${opts.extra ? ` ${opts.extra}` : ""}`, channel);
  expect(created.code).toBeUndefined();
  const c = await row(t, name);
  if (c.state === "pending_approval") expect((await t.cmd("console:ada", `approve ${name}`, channel)).code).toBeUndefined();
  await t.idle();
  const ready = await row(t, name);
  expect(ready.state).toBe("ready");
  return ready;
}

/** The newest cluster row with this name. */
export async function row(t: TestCore, name: string): Promise<Cluster> {
  return t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", name).orderBy("created_at", "desc").executeTakeFirstOrThrow();
}

/** Audit entries for a target, oldest first, as `action outcome`. */
export async function auditOf(t: TestCore, target: string): Promise<{ action: string; actor: string; outcome: string; detail: string | null }[]> {
  return t.core.app.db.k.selectFrom("audit").select(["action", "actor", "outcome", "detail"]).where("target", "=", target).orderBy("id").execute();
}

/** DMs to `identity` whose card carries a button with `action`. */
export function dmsWithButton(t: TestCore, identity: string, action: string) {
  return t.port.dmsTo(identity).filter((s) => s.card.buttons?.some((b) => b.action === action));
}
