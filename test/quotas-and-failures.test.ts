import { afterEach, describe, expect, it } from "vitest";
import { makeCore, baseConfig, type TestCore } from "./helpers/harness.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

function withConfig(edit: (c: any) => void): Record<string, unknown> {
  const c = baseConfig();
  edit(c);
  return c;
}

async function ipsHeld(tc: TestCore): Promise<number> {
  return (await tc.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).length;
}

describe("limits and quotas", () => {
  it("names the limit and the allowed range for workers and ttl", async () => {
    t = await makeCore();
    const w = await t.cmd("console:bob", "create lab3 workers=9");
    expect(w.code).toBe("limits.max_workers");
    expect(w.card.text).toContain("cs401 allows 0 to 3 workers");
    const ttl = await t.cmd("console:bob", "create lab3 ttl=60d");
    expect(ttl.code).toBe("limits.max_ttl");
    expect(ttl.card.text).toContain("30d");
  });

  it("enforces per_user_clusters, counting pending requests", async () => {
    t = await makeCore();
    expect((await t.cmd("console:bob", "create lab3")).code).toBeUndefined();
    const second = await t.cmd("console:bob", "create lab4");
    expect(second.code).toBe("limits.per_user_clusters");
    expect(second.card.text).toContain("you have 1");
  });

  it("re-checks the quota at approval, inside the reserving transaction, and says the usage", async () => {
    t = await makeCore({ config: withConfig((c) => { c.tenants.cs401.quota = { nodes: 5 }; c.tenants.cs401.limits.per_user_clusters = 3; }) });
    // Two requests of 3 nodes each fit the quota one at a time (pending requests hold nothing).
    expect((await t.cmd("console:bob", "create aaa workers=2")).code).toBeUndefined();
    expect((await t.cmd("console:carol", "create bbb workers=2")).code).toBeUndefined();
    expect((await t.cmd("console:ada", "approve aaa")).code).toBeUndefined();
    const refused = await t.cmd("console:ada", "approve bbb");
    expect(refused.code).toBe("quota.nodes");
    expect(refused.card.text).toContain("3 of 5 in use");
    // The refused approval changed nothing: still pending, no IPs, no job.
    const bbb = await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "bbb").executeTakeFirstOrThrow();
    expect(bbb.state).toBe("pending_approval");
    expect(await t.core.app.db.k.selectFrom("ip_allocations").selectAll().where("cluster_id", "=", bbb.id).execute()).toHaveLength(0);
    const req = await t.core.app.db.k.selectFrom("requests").selectAll().where("cluster_id", "=", bbb.id).executeTakeFirstOrThrow();
    expect(req.state).toBe("pending");
  });

  it("refuses when the IP pool has no block large enough, without crashing", async () => {
    t = await makeCore({ config: withConfig((c) => { c.network.pool = "10.40.19.201-10.40.19.204"; }) });
    expect((await t.cmd("console:dan", "create one workers=2", "console:#dsg")).code).toBeUndefined();
    const r = await t.cmd("console:dan", "create two workers=1", "console:#dsg");
    expect(r.code).toBe("ippool.exhausted");
    expect(r.card.text).toContain("1 free");
    expect(await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "two").execute()).toHaveLength(0);
  });

  it("resolves the tenant from tenant=, the channel, or the caller's only tenant", async () => {
    t = await makeCore();
    expect((await t.cmd("console:bob", "create lab3 tenant=nope")).code).toBe("tenant.unknown");
    expect((await t.cmd("console:bob", "create lab3 tenant=dsg")).code).toBe("rbac.not_member");
    // Bob's only tenant applies in a channel bound to no tenant.
    expect((await t.cmd("console:bob", "create lab3", "console:#random")).code).toBeUndefined();
    // An admin in an unbound channel must say which tenant.
    expect((await t.cmd("console:root", "create adm1", "console:#random")).code).toBe("tenant.ambiguous");
  });

  it("tells an unknown user their identity and to ask their instructor", async () => {
    t = await makeCore();
    const r = await t.cmd("console:zed", "create lab3");
    expect(r.code).toBe("rbac.unregistered");
    expect(r.card.text).toContain("console:zed");
    expect(r.card.text).toContain("instructor");
    expect((await t.cmd("console:zed", "help")).code).toBeUndefined();
  });
});

describe("failures and deletes", () => {
  it("a failed step reports the step and a redacted log tail, destroys what was made and frees the IPs", async () => {
    t = await makeCore({ config: withConfig((c) => { c.infra.simulated.fail = { boom: "configure" }; }) });
    t.core.app.redactor.add("s3cr3t-token-value");
    // A driver log line carrying a secret must arrive redacted.
    const driver = t.core.app.driver as any;
    const original = driver.configure.bind(driver);
    driver.configure = async (spec: any, nodes: any, ctx: any) => { ctx.log("connecting with token=s3cr3t-token-value"); return original(spec, nodes, ctx); };
    await t.cmd("console:dan", "create boom workers=1", "console:#dsg");
    await t.idle();
    const c = await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "boom").executeTakeFirstOrThrow();
    expect(c.state).toBe("failed");
    expect(c.failure).toContain("Installing Kubernetes");
    expect(await ipsHeld(t)).toBe(0);
    const failure = t.port.sent.find((s) => s.kind === "thread" && s.card.title.startsWith("✗"))!;
    expect(failure.card.title).toBe("✗ Installing Kubernetes failed");
    expect(failure.card.code).toContain("simulated failure of configure");
    // Retry is offered only once the clean-up (a job of its own) has freed what the run held.
    expect(failure.card.buttons).toBeUndefined();
    expect(failure.card.text).toContain("Cleaning up");
    const cleaned = t.port.sent.find((s) => s.kind === "thread" && s.card.title === "✓ Cleaned up")!;
    expect(cleaned.card.text).toContain("2 IP addresses freed");
    expect(cleaned.card.buttons?.[0]?.action).toBe("retry");
    expect(t.port.sent.indexOf(cleaned)).toBeGreaterThan(t.port.sent.indexOf(failure));
    expect(t.port.dump()).not.toContain("s3cr3t-token-value");
    expect(failure.card.code).toContain("[redacted]");
    const job = await t.core.app.db.k.selectFrom("jobs").selectAll().executeTakeFirstOrThrow();
    expect(job.state).toBe("failed");
    expect(job.last_step).toBe("wait_ssh");
    expect(job.log_tail).not.toContain("s3cr3t-token-value");
    const { existsSync } = await import("node:fs");
    expect(existsSync(`${t.dataDir}/workspaces/${c.id}/simulated-state.json`)).toBe(false);
  });

  it("keeps a failed cluster's VMs and IPs when keep_failed is set", async () => {
    t = await makeCore({ config: withConfig((c) => { c.infra.simulated.fail = { boom: "configure" }; c.infra.keep_failed = true; }) });
    await t.cmd("console:dan", "create boom workers=1", "console:#dsg");
    await t.idle();
    expect(await ipsHeld(t)).toBe(2);
  });

  it("retry queues a failed cluster again", async () => {
    t = await makeCore({ config: withConfig((c) => { c.infra.simulated.fail = { boom: "apply" }; }) });
    await t.cmd("console:dan", "create boom", "console:#dsg");
    await t.idle();
    const c = await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "boom").executeTakeFirstOrThrow();
    expect((await t.press("console:eve", "retry", c.id)).code).toBe("rbac.denied");
    (t.core.app.driver as any).opts.fail = {};
    expect((await t.press("console:dan", "retry", c.id)).code).toBeUndefined();
    await t.idle();
    const after = await t.core.app.db.k.selectFrom("clusters").selectAll().where("id", "=", c.id).executeTakeFirstOrThrow();
    expect(after.state).toBe("ready");
  });

  it("delete asks to confirm; confirming destroys the VMs, frees the IPs and the name; a second confirm does nothing", async () => {
    t = await makeCore();
    await t.cmd("console:dan", "create exp1 workers=2", "console:#dsg");
    await t.idle();
    expect(await ipsHeld(t)).toBe(3);
    const ask = await t.cmd("console:dan", "delete exp1", "console:#dsg");
    const confirm = ask.card.buttons?.find((b) => b.action === "delete.confirm");
    expect(confirm).toBeDefined();
    expect(await ipsHeld(t)).toBe(3);
    expect((await t.press("console:eve", "delete.confirm", confirm!.value)).code).toBe("rbac.denied");
    expect((await t.press("console:dan", "delete.confirm", confirm!.value)).code).toBeUndefined();
    expect((await t.press("console:dan", "delete.confirm", confirm!.value)).code).toBe("cluster.deleting");
    await t.idle();
    expect(await ipsHeld(t)).toBe(0);
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).orderBy("id").execute();
    expect(jobs).toEqual([{ kind: "provision", state: "succeeded" }, { kind: "deliver", state: "succeeded" }, { kind: "destroy", state: "succeeded" }]);
    expect((await t.cmd("console:dan", "create exp1", "console:#dsg")).code).toBeUndefined();
  });

  it("deleting while provisioning stops the run and cleans up", async () => {
    t = await makeCore({ config: withConfig((c) => { c.infra.simulated.step_ms = 50; }) });
    await t.cmd("console:dan", "create exp1 workers=1", "console:#dsg");
    await new Promise((r) => setTimeout(r, 120));
    const c = await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "exp1").executeTakeFirstOrThrow();
    expect(c.state).toBe("provisioning");
    expect((await t.press("console:dan", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).orderBy("id").execute();
    expect(jobs).toEqual([{ kind: "provision", state: "cancelled" }, { kind: "destroy", state: "succeeded" }]);
    expect(await ipsHeld(t)).toBe(0);
    expect(t.port.sent.some((s) => s.file)).toBe(false);
  });

  it("a pending request is withdrawn by delete without a job", async () => {
    t = await makeCore();
    await t.cmd("console:bob", "create lab3");
    const c = await t.core.app.db.k.selectFrom("clusters").selectAll().executeTakeFirstOrThrow();
    expect((await t.press("console:bob", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await t.core.app.db.k.selectFrom("clusters").select("state").executeTakeFirstOrThrow()).state).toBe("deleted");
    expect(await t.core.app.db.k.selectFrom("jobs").selectAll().execute()).toHaveLength(0);
    expect((await t.cmd("console:ada", "approve lab3")).code).toBe("approval.not_found");
  });
});
