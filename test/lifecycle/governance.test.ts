/** grant / revoke, quota and audit on a real core: who may do what, persistence, and the config file winning. */
import { afterEach, describe, expect, it } from "vitest";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { auditOf, readyCluster } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

describe("grant and revoke", () => {
  it("an instructor grants and revokes roles below their own in their tenant; the grant takes effect and is audited", async () => {
    t = await makeCore();
    expect((await t.cmd("console:zed", "list")).code).toBe("rbac.unregistered");
    const granted = await t.cmd("console:ada", "grant <@zed> student");
    expect(granted.code).toBeUndefined();
    expect((await t.cmd("console:zed", "list")).code).toBeUndefined();
    expect((await t.cmd("console:zed", "create zed1")).code).toBeUndefined();
    expect(t.port.dmsTo("console:zed").some((s) => s.card.title === "You are now a student of cs401")).toBe(true);
    // Promote, then take away.
    expect((await t.cmd("console:ada", "grant console:zed ta")).code).toBeUndefined();
    expect((await t.cmd("console:zed", "list all")).code).toBeUndefined();
    expect((await t.cmd("console:ada", "revoke console:zed")).code).toBeUndefined();
    expect((await t.cmd("console:zed", "list")).code).toBe("rbac.unregistered");
    expect((await t.cmd("console:ada", "revoke console:zed")).code).toBe("grant.not_found");
    const trail = (await auditOf(t, "console:zed")).map((a) => `${a.actor} ${a.action} ${a.detail ?? ""}`.trim());
    expect(trail).toEqual(["console:ada grant role=student", "console:ada grant role=ta", "console:ada revoke"]);
  });

  it("nobody grants at or above their own role; only admins manage instructors; TAs, students and other tenants are refused", async () => {
    t = await makeCore();
    expect((await t.cmd("console:ada", "grant console:zed instructor")).code).toBe("grant.too_high");
    expect((await t.cmd("console:tim", "grant console:zed student")).code).toBe("rbac.denied");
    expect((await t.cmd("console:bob", "grant console:zed viewer")).code).toBe("rbac.denied");
    expect((await t.cmd("console:ada", "grant console:zed student tenant=dsg")).code).toBe("rbac.not_member");
    expect((await t.cmd("console:root", "grant console:zed instructor")).code).toBeUndefined();
    expect((await t.cmd("console:ada", "revoke console:zed")).code).toBe("grant.too_high");
    expect((await t.cmd("console:ada", "grant console:zed ta")).code).toBe("grant.too_high");
    expect((await t.cmd("console:root", "revoke console:zed")).code).toBeUndefined();
    expect((await t.cmd("console:ada", "grant ada student")).code).toBe("usage");
    expect((await t.cmd("console:ada", "grant console:zed admin")).code).toBe("usage");
  });

  it("the config file wins over a chat grant, and grant, revoke and audit say so", async () => {
    t = await makeCore();
    const granted = await t.cmd("console:ada", "grant console:bob ta");
    expect(granted.code).toBeUndefined();
    expect(granted.card.text).toContain("the config file makes console:bob a student of cs401; that wins until the file changes");
    expect((await t.cmd("console:bob", "list all")).code).toBe("rbac.denied");
    const log = await t.cmd("console:ada", "audit");
    expect(log.card.text).toContain("console:bob was granted ta in chat, but the config file makes console:bob a student of cs401");
    const revoked = await t.cmd("console:ada", "revoke console:bob");
    expect(revoked.code).toBeUndefined();
    expect(revoked.card.text).toContain("that wins until the file changes");
    expect((await t.cmd("console:ada", "revoke console:bob")).code).toBe("grant.from_file");
    expect((await t.cmd("console:bob", "list")).code).toBeUndefined();
  });
});

describe("quota", () => {
  it("shows usage against every quota and limit; staff also see per-person counts", async () => {
    t = await makeCore();
    await readyCluster(t, "console:bob", "lab3", { extra: "workers=2" });
    const viewer = await t.cmd("console:vic", "quota");
    expect(viewer.code).toBeUndefined();
    const lines = viewer.card.code!.split("\n");
    expect(lines).toEqual(expect.arrayContaining([
      "clusters       1 of 4", "nodes          3 of 10", "vcpus          6 of 20", "memory_gb      6 of 40",
      "per_user_clusters  1 (you hold 0)", "max_ttl            30d (owners can extend up to this from now)", "extend_step        1w (the reminder's Extend button)",
    ]));
    expect(viewer.card.code).not.toContain("Per person");
    const staff = await t.cmd("console:tim", "quota");
    expect(staff.card.code).toMatch(/Per person[\s\S]*console:bob\s+1 \/ 3/);
    const other = await t.cmd("console:dan", "quota", "console:#dsg");
    expect(other.card.code).toContain("clusters       0 of unlimited");
    expect((await t.cmd("console:bob", "quota tenant=dsg")).code).toBe("rbac.not_member");
  });
});

describe("audit", () => {
  it("shows the latest actions with who, what, when and outcome, optionally for one cluster; instructors only", async () => {
    t = await makeCore();
    await readyCluster(t, "console:bob", "lab3");
    await t.cmd("console:bob", "extend lab3 99d");
    await t.cmd("console:ada", "grant console:zed viewer");
    const all = await t.cmd("console:ada", "audit");
    expect(all.code).toBeUndefined();
    const lines = all.card.code!.split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC {2}console:ada {2}grant {2}console:zed {2}ok {2}role=viewer$/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/console:bob {2}cluster\.extend {2}lab3 {2}failure/)]));
    const one = await t.cmd("console:ada", "audit lab3");
    expect(one.card.code).not.toContain("grant");
    expect(one.card.code).toContain("cluster.create");
    expect(one.card.code).toContain("request.approve");
    expect((await t.cmd("console:tim", "audit")).code).toBe("rbac.denied");
    expect((await t.cmd("console:bob", "audit lab3")).code).toBe("rbac.denied");
  });
});
