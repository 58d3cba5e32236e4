/** Every role × every command × own / other's / other tenant's cluster, asserting refusal codes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseConfig, makeCore, type TestCore } from "./helpers/harness.ts";
import { newClusterId } from "../src/util/ids.ts";
import { getCluster } from "../src/clusters/repo.ts";
import { specOf } from "../src/clusters/spec.ts";

const ROLES = {
  admin: "console:root",
  instructor: "console:ada",
  ta: "console:tim",
  student: "console:bob",
  viewer: "console:vic",
  unregistered: "console:zed",
} as const;
type RoleName = keyof typeof ROLES;
type Target = "own" | "other" | "far";

const OK = "ok";
const U = "rbac.unregistered";
const NM = "rbac.not_member";
const D = "rbac.denied";
const OWN = "approval.own_request";

/** Expected outcome per command, target and role, in the order admin, instructor, ta, student, viewer, unregistered. */
const MATRIX: Record<string, Partial<Record<Target, [string, string, string, string, string, string]>>> = {
  create:     { own: [OK, OK, OK, OK, D, U],  far: [OK, NM, NM, NM, NM, U] },
  "list mine": { own: [OK, OK, OK, OK, OK, U], far: [OK, NM, NM, NM, NM, U] },
  "list all": { own: [OK, OK, OK, D, D, U],   far: [OK, NM, NM, NM, NM, U] },
  status:     { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  delete:     { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "delete.confirm": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  kubeconfig: { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, D, D, D, U],  far: [OK, NM, NM, NM, NM, U] },
  approve:    { own: [OWN, OWN, OWN, D, D, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  reject:     { own: [OWN, OWN, OWN, D, D, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "button approve": { own: [OWN, OWN, OWN, D, D, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  retry:      { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  // SPEC §2: the owner up to max_ttl, instructors and admins beyond; a TA who is not the owner may not.
  extend:     { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, D, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "button extend": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, D, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "delete.now": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "ns create": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "ns delete": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "ns list":  { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  "ns kubeconfig": { own: [OK, OK, OK, OK, OK, U], other: [OK, OK, OK, D, D, U], far: [OK, NM, NM, NM, NM, U] },
  grant:      { own: [OK, OK, D, D, D, U],   far: [OK, NM, NM, NM, NM, U] },
  revoke:     { own: [OK, OK, D, D, D, U],   far: [OK, NM, NM, NM, NM, U] },
  quota:      { own: [OK, OK, OK, OK, OK, U], far: [OK, NM, NM, NM, NM, U] },
  audit:      { own: [OK, OK, D, D, D, U],   far: [OK, NM, NM, NM, NM, U] },
  queue:      { own: [OK, OK, OK, OK, OK, U] },
  help:       { own: [OK, OK, OK, OK, OK, OK] },
};

let t: TestCore;
let seq = 0;

beforeAll(async () => {
  // Quotas and per-user limits are tested elsewhere; here they must not interfere with the many seeded clusters.
  const config = baseConfig() as { tenants: Record<string, any> };
  for (const tenant of Object.values(config.tenants)) { tenant.quota = {}; tenant.limits = { ...tenant.limits, per_user_clusters: 1000 }; }
  t = await makeCore({ config });
});
afterAll(async () => { await t.close(); });

const ADMIN_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: 'https://10.99.0.1:6443' } }]\n"
  + "users: [{ name: admin, user: { token: admintoken } }]\ncontexts: [{ name: c, context: { cluster: c, user: admin } }]\ncurrent-context: c\n";

/**
 * Inserts a cluster directly in the given state (and a pending request, or a kubeconfig, as the case needs).
 * A ready cluster has an expiry, a control-plane node and a simulated cluster behind it, so kubectl works.
 */
async function seed(owner: string, tenant: string, state: "ready" | "pending_approval" | "failed"): Promise<{ id: string; name: string; requestId?: number }> {
  const id = newClusterId();
  const name = `m${++seq}x`;
  const now = t.clock.now();
  const ready = state === "ready";
  await t.core.app.db.k.insertInto("clusters").values({
    id, tenant, name, owner, state, workers: 0, size: "small", vcpus: 2, memory_mb: 2048, disk_gb: 20, ttl_ms: 86_400_000,
    channel: `console:#${tenant}`, root_ref: null, failure: null, created_at: now, updated_at: now,
    nodes: ready ? JSON.stringify([{ name: `${name}-cp`, role: "control_plane", ip: "10.99.0.1", vmid: 100 }]) : null,
    expires_at: ready ? now + 86_400_000 : null, ready_at: ready ? now : null,
  }).execute();
  if (ready) {
    await t.core.app.kubeconfigs.save(id, ADMIN_KUBECONFIG, now);
    const c = (await getCluster(t.core.app.db.k, id))!;
    await t.core.app.driver.apply(await specOf(t.core.app, c), { signal: new AbortController().signal, log: () => {}, progress: () => {} });
    await t.core.app.driver.kubectl(await specOf(t.core.app, c), [], ["create", "namespace", "team-a"]);
  }
  if (state !== "pending_approval") return { id, name };
  const r = await t.core.app.db.k.insertInto("requests").values({
    cluster_id: id, tenant, requester: owner, state: "pending", decided_by: null, decided_at: null, reason: null,
    lapses_at: now + 86_400_000, card_refs: "[]", created_at: now,
  }).executeTakeFirstOrThrow();
  return { id, name, requestId: Number(r.insertId) };
}

function ownerFor(role: RoleName, target: Target): string {
  if (target === "own") return ROLES[role];
  return target === "other" ? "console:carol" : "console:eve";
}

async function attempt(command: string, role: RoleName, target: Target): Promise<string> {
  const who = ROLES[role];
  const tenant = target === "far" ? "dsg" : "cs401";
  const suffix = target === "far" ? " tenant=dsg" : "";
  const owner = ownerFor(role, target);
  let reply;
  switch (command) {
    case "create": reply = await t.cmd(who, `create n${++seq}x${suffix}`); break;
    case "list mine": reply = await t.cmd(who, `list mine${suffix}`); break;
    case "list all": reply = await t.cmd(who, `list all${suffix}`); break;
    case "queue": reply = await t.cmd(who, "queue"); break;
    case "help": reply = await t.cmd(who, "help create"); break;
    case "status": case "delete": case "kubeconfig": {
      const c = await seed(owner, tenant, "ready");
      reply = await t.cmd(who, `${command} ${c.name}${suffix}`);
      break;
    }
    case "delete.confirm": {
      const c = await seed(owner, tenant, "ready");
      reply = await t.press(who, "delete.confirm", c.id);
      break;
    }
    case "extend": {
      const c = await seed(owner, tenant, "ready");
      reply = await t.cmd(who, `extend ${c.name} 1d${suffix}`);
      break;
    }
    case "button extend": case "delete.now": {
      const c = await seed(owner, tenant, "ready");
      reply = await t.press(who, command === "delete.now" ? "delete.now" : "extend", c.id);
      break;
    }
    case "ns create": case "ns delete": case "ns list": case "ns kubeconfig": {
      const c = await seed(owner, tenant, "ready");
      const ns = command === "ns create" ? " team-b" : command === "ns list" ? "" : " team-a";
      reply = await t.cmd(who, `${command} ${c.name}${ns}${suffix}`);
      break;
    }
    case "grant": reply = await t.cmd(who, `grant console:g${++seq}x viewer${suffix}`); break;
    case "revoke": {
      const target = `console:g${++seq}x`;
      await t.core.app.db.k.insertInto("grants").values({ identity: target, tenant, role: "viewer", granted_by: "console:root", created_at: t.clock.now() }).execute();
      reply = await t.cmd(who, `revoke ${target}${suffix}`);
      break;
    }
    case "quota": reply = await t.cmd(who, `quota${suffix}`); break;
    case "audit": reply = await t.cmd(who, `audit${suffix}`); break;
    case "retry": {
      const c = await seed(owner, tenant, "failed");
      reply = await t.press(who, "retry", c.id);
      break;
    }
    case "approve": case "reject": {
      const c = await seed(owner, tenant, "pending_approval");
      reply = await t.cmd(who, `${command} ${c.requestId}`);
      break;
    }
    case "button approve": {
      const c = await seed(owner, tenant, "pending_approval");
      reply = await t.press(who, "approve", String(c.requestId));
      break;
    }
    default: throw new Error(command);
  }
  return reply.code ?? OK;
}

const cases = Object.entries(MATRIX).flatMap(([command, targets]) =>
  Object.entries(targets).flatMap(([target, expected]) =>
    (Object.keys(ROLES) as RoleName[]).map((role, i) => ({ command, target: target as Target, role, expected: expected![i]! }))));

describe("authorization matrix", () => {
  it.each(cases)("$command · $target cluster · $role → $expected", async ({ command, target, role, expected }) => {
    expect(await attempt(command, role, target)).toBe(expected);
  });
});
