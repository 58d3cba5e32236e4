/**
 * Roles granted in chat: stored in `grants`, audited, merged with the config file by the Directory (the file wins).
 * Instructors manage their tenant's TAs, students and viewers; admins manage everyone; nobody grants above their own role.
 */
import type { App } from "./app.ts";
import type { Role } from "../config/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, refused, type Outcome } from "../kernel/outcome.ts";
import { audit } from "../audit.ts";
import { outranks, requireRole } from "../tenants/rbac.ts";
import { transact } from "../db/tx.ts";
import { withdrawRequest } from "./delete.ts";
import { enqueueJob } from "../jobs/repo.ts";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

const ROLE_NAME: Record<Role, string> = { viewer: "a viewer", student: "a student", ta: "a TA", instructor: "an instructor" };

/** The sentence that says the config file decides, as `grant`, `revoke` and `audit` show it. */
export function fileWins(identity: string, tenant: string, role: Role): string {
  return `the config file makes ${identity} ${ROLE_NAME[role]} of ${tenant}; that wins until the file changes`;
}

/** Checks that `p` may manage roles in the tenant, and may manage `target` (whose current role must rank below theirs). */
async function mayManage(app: App, p: Principal, tenant: string, target: string, doing: string): Promise<Outcome | undefined> {
  const role = requireRole(p, tenant, "instructor", doing);
  if (!role.ok) return refused(role);
  const current = (await app.directory.principal(target)).roles.get(tenant);
  if (current && !outranks(p, tenant, current)) {
    return refuse("grant.too_high", `${target} is ${ROLE_NAME[current]} of ${tenant}; only an admin can change that`);
  }
  return undefined;
}

/** `grant <person> <role>`: stores (or changes) the person's role in the tenant. */
export async function grantRole(app: App, p: Principal, tenant: string, target: string, role: Role): Promise<Outcome> {
  const denied = await mayManage(app, p, tenant, target, `grant roles in ${tenant}`);
  if (denied) return denied;
  if (!outranks(p, tenant, role)) return refuse("grant.too_high", `you cannot make anyone ${ROLE_NAME[role]} of ${tenant}: that needs a role above it (an admin, for instructors)`);
  const now = app.clock.now();
  await app.db.k.insertInto("grants").values({ identity: target, tenant, role, granted_by: p.identity, created_at: now })
    .onConflict((oc) => oc.columns(["identity", "tenant"]).doUpdateSet({ role, granted_by: p.identity, created_at: now })).execute();
  const file = app.directory.fileRole(target, tenant);
  const overridden = file !== undefined && file !== role;
  await audit(app.db.k, now, { actor: p, tenant, action: "grant", target, detail: `role=${role}${overridden ? ` (config file wins: ${file})` : ""}` });
  if (target !== p.identity && !overridden) {
    void app.notifier.notify(target, { title: `You are now ${ROLE_NAME[role]} of ${tenant}`, text: `${app.directory.label(p.identity)} gave you this role. Type /cluster help to start.`, tone: "info" });
  }
  return done({
    title: `Granted: ${target} is ${ROLE_NAME[role]} of ${tenant}`,
    text: overridden ? `Stored, but ${fileWins(target, tenant, file)}.` : undefined,
    tone: overridden ? "warning" : "success",
  });
}

/** `revoke <person>`: removes the role granted in chat; a role from the config file stays. */
export async function revokeRole(app: App, p: Principal, tenant: string, target: string): Promise<Outcome> {
  const denied = await mayManage(app, p, tenant, target, `revoke roles in ${tenant}`);
  if (denied) return denied;
  const file = app.directory.fileRole(target, tenant);
  const r = await app.db.k.deleteFrom("grants").where("identity", "=", target).where("tenant", "=", tenant).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) {
    return file
      ? refuse("grant.from_file", `nothing was granted to ${target} in chat: ${fileWins(target, tenant, file)}`)
      : refuse("grant.not_found", `${target} has no role in ${tenant} to revoke`);
  }
  const now = app.clock.now();
  await audit(app.db.k, now, { actor: p, tenant, action: "revoke", target, detail: file ? `config file keeps ${file}` : null });
  const cascade = await cascadeRevoke(app, p, tenant, target);
  return done({
    title: `Revoked: ${target} in ${tenant}`,
    text: file ? `The grant made in chat is gone, but ${fileWins(target, tenant, file)}.` : `${target} no longer has a role in ${tenant}.${cascade}`,
    tone: file ? "warning" : "success",
  });
}

/**
 * Once a person has no role left in the tenant: their pending requests are withdrawn (they are told), and the
 * namespace access labforge made for them on the tenant's clusters is removed by `ns_revoke` jobs. Returns a summary.
 */
async function cascadeRevoke(app: App, by: Principal, tenant: string, target: string): Promise<string> {
  const person = await app.directory.principal(target);
  if (person.roles.has(tenant)) return "";
  const pending = await app.db.k.selectFrom("requests").innerJoin("clusters", "clusters.id", "requests.cluster_id")
    .select(["requests.id", "requests.cluster_id", "requests.requester", "clusters.name"])
    .where("requests.tenant", "=", tenant).where("requests.state", "=", "pending").where("requests.requester", "in", person.identities).execute();
  let withdrawn = 0;
  for (const r of pending) {
    if (!(await withdrawRequest(app, r.cluster_id, by, `request withdrawn: ${target} was revoked`))) continue;
    withdrawn++;
    void app.notifier.notify(r.requester, { title: `Request #${r.id} was cancelled`, text: `You no longer have a role in ${tenant}, so ${r.name} will not be built. Ask your instructor if this is a mistake.`, tone: "warning" });
  }
  const now = app.clock.now();
  const revocations = await transact(app.db, (trx) => queueAccessRevocation(trx, tenant, person.identities, by.identity, now), () => true);
  if (revocations > 0) app.jobs.pump();
  const parts = [
    withdrawn > 0 ? `${withdrawn} pending request${withdrawn === 1 ? " was" : "s were"} cancelled` : "",
    revocations > 0 ? `their namespace access is being removed from ${revocations} cluster${revocations === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? ` ${parts.join("; ")}.` : "";
}

/** Inside `trx`: queues one `ns_revoke` job per cluster of the tenant where any of `identities` holds namespace access; returns how many. */
async function queueAccessRevocation(trx: Kysely<Database>, tenant: string, identities: readonly string[], by: string, now: number): Promise<number> {
  const rows = await trx.selectFrom("namespace_access").innerJoin("clusters", "clusters.id", "namespace_access.cluster_id")
    .select(["namespace_access.cluster_id", "namespace_access.identity", "clusters.owner"])
    .where("clusters.tenant", "=", tenant).where("namespace_access.identity", "in", identities).distinct().execute();
  for (const r of rows) {
    await enqueueJob(trx, {
      kind: "ns_revoke", clusterId: r.cluster_id, tenant, owner: r.owner, now, maxAttempts: 3,
      dedupeKey: `ns_revoke:${r.cluster_id}:${r.identity}:${now}`, payload: { identity: r.identity, by },
    });
  }
  return rows.length;
}
