/** Class sessions in-process: the whole-session checks with their numbers, and status, extend, add and delete. */
import { afterEach, describe, expect, it } from "vitest";
import { makeCore, baseConfig, type TestCore } from "../helpers/harness.ts";
import { parseCommand } from "../../src/commands/parse.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

/** cs401 of the base config (quota 4 clusters, 10 nodes) with 2 more students: bob, carol, s1, s2; dsg unchanged. */
function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = baseConfig() as { members: unknown[] };
  const more = ["s1", "s2"].map((id) => ({ identities: [`console:${id}`], roles: { cs401: "student" } }));
  return { ...c, members: [...c.members, ...more], ...extra };
}

const clusters = () => t.core.app.db.k.selectFrom("clusters").select(["name", "owner", "state", "session_id"]).orderBy("name").execute();

describe("class create", () => {
  it("gives every student of the tenant a cluster in member order, approved by the instructor's command", async () => {
    t = await makeCore({ config: config() });
    const r = await t.cmd("console:ada", "class create lab5 workers=1");
    expect(r.code).toBeUndefined();
    expect(r.card.title).toBe("Class session lab5: 4 clusters");
    await t.idle();
    const rows = await clusters();
    expect(rows.map((c) => `${c.name} ${c.owner} ${c.state}`)).toEqual([
      "lab5-01 console:bob ready", "lab5-02 console:carol ready", "lab5-03 console:s1 ready", "lab5-04 console:s2 ready",
    ]);
    // No approval request: the command was the approval.
    expect(await t.core.app.db.k.selectFrom("requests").selectAll().execute()).toEqual([]);
    expect(t.port.dmsTo("console:s2").some((d) => d.file?.filename === "cs401-lab5-04.kubeconfig")).toBe(true);
    // One audited action for the session.
    const audit = await t.core.app.db.k.selectFrom("audit").select(["action", "target", "outcome"]).where("action", "like", "class.%").execute();
    expect(audit).toEqual([{ action: "class.create", target: "lab5", outcome: "ok" }]);
  });

  it("refuses the whole session with the numbers when the quota does not hold it, and queues nothing", async () => {
    t = await makeCore({ config: config() });
    // Bob holds one cluster already (1 + 3 nodes); 4 more clusters of 1 + 1 need 8 nodes: 6 of the quota's 10 are left.
    await t.cmd("console:tim", "create held workers=3");
    const r = await t.cmd("console:ada", "class create lab5 workers=1 for=console:carol,console:s1,console:s2,console:tim");
    expect(r.code).toBe("quota.clusters");
    expect(r.card.text).toBe("3 of these 4 clusters fit: the session needs 4 clusters, and cs401 has 3 left of its quota of 4 (1 in use). Ask for fewer workers or a smaller size, or name fewer students with for=");
    const nodes = await t.cmd("console:ada", "class create lab5 workers=3 for=console:carol,console:s1");
    expect(nodes.code).toBe("quota.nodes");
    expect(nodes.card.text).toContain("1 of these 2 clusters fit: the session needs 8 nodes, and cs401 has 6 left of its quota of 10 (4 in use)");
    expect((await clusters()).map((c) => c.name)).toEqual(["held"]);
    expect(await t.core.app.db.k.selectFrom("class_sessions").selectAll().execute()).toEqual([]);
  });

  it("refuses naming the students at their per-person limit, and the IP pool with how many fit", async () => {
    t = await makeCore({ config: config({ network: { pool: "10.40.19.201-10.40.19.205", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] } }) });
    await t.cmd("console:bob", "create bobs"); // Bob needs approval: a pending request counts against his limit
    const perUser = await t.cmd("console:ada", "class create lab5 workers=0");
    expect(perUser.code).toBe("limits.per_user_clusters");
    expect(perUser.card.text).toContain("3 of these 4 clusters fit: cs401 allows 1 cluster per person and 1 of the students already has 1: Bob (console:bob)");
    // Five addresses, two per cluster: two clusters fit, the third does not, and nothing stays allocated.
    const pool = await t.cmd("console:ada", "class create lab6 workers=1 for=console:carol,console:s1,console:s2");
    expect(pool.code).toBe("ippool.exhausted");
    expect(pool.card.text).toContain("2 of these 3 clusters fit in the department's IP pool: each needs 2 consecutive free addresses");
    expect(await t.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).toEqual([]);
  });

  it("refuses students who are not students of the tenant, people listed twice, and callers below instructor", async () => {
    t = await makeCore({ config: config() });
    const stranger = await t.cmd("console:ada", "class create lab5 for=console:bob,console:eve,console:nobody");
    expect(stranger.code).toBe("class.not_members");
    expect(stranger.card.text).toContain("console:eve, console:nobody are not students of cs401; grant them the student role first");
    expect((await t.cmd("console:ada", "class create lab5 for=console:bob,console:bob")).code).toBe("class.duplicate");
    const ta = await t.cmd("console:tim", "class create lab5");
    expect(ta.code).toBe("rbac.denied");
    expect(ta.card.text).toContain("Only instructors of cs401 can manage class sessions in cs401; you are a TA");
    expect((await t.cmd("console:bob", "class status lab5")).code).toBe("rbac.denied");
    expect((await t.cmd("console:ada", "class create lab5 workers=9")).code).toBe("limits.max_workers");
    expect((await t.cmd("console:ada", "class status lab5 extra")).code).toBe("usage");
    expect((await t.cmd("console:ada", "class status lab5 workers=1")).card.text).toContain("workers= goes only with class create");
    expect(await clusters()).toEqual([]);
  });

  it("counts students granted in chat after the file's, and prefers each person's identity on the caller's platform", async () => {
    const c = config() as { members: unknown[]; tenants: { cs401: Record<string, unknown> } };
    c.tenants.cs401 = { ...c.tenants.cs401, quota: {} };
    c.members.push({ name: "Two", identities: ["slack:U0TWO", "console:two"], roles: { cs401: "student" } });
    t = await makeCore({ config: c });
    await t.cmd("console:ada", "grant console:late student");
    await t.cmd("console:ada", "grant console:tim student"); // the file makes Tim a TA: the grant does not count
    expect((await t.cmd("console:ada", "class create lab5 workers=0")).code).toBeUndefined();
    expect((await clusters()).map((r) => `${r.name} ${r.owner}`)).toEqual([
      "lab5-01 console:bob", "lab5-02 console:carol", "lab5-03 console:s1", "lab5-04 console:s2", "lab5-05 console:two", "lab5-06 console:late",
    ]);
  });
});

describe("managing a session", () => {
  it("status lists every student's cluster; extend moves the ready ones; add gives a latecomer the next number", async () => {
    t = await makeCore({ config: config() });
    await t.cmd("console:ada", "class create lab5 workers=0 ttl=7d for=console:bob,console:carol");
    await t.idle();
    const status = await t.cmd("console:ada", "class status lab5");
    expect(status.card.title).toBe("Class session lab5 · cs401: 2 / 2 ready");
    expect(status.card.code).toBe("lab5-01  Ready         Bob (console:bob)\nlab5-02  Ready         Carol (console:carol)");

    const before = await t.core.app.db.k.selectFrom("clusters").select(["name", "expires_at"]).orderBy("name").execute();
    const extended = await t.cmd("console:ada", "class extend lab5 3d");
    expect(extended.card.text).toContain("2 ready clusters extended by 3d");
    const after = await t.core.app.db.k.selectFrom("clusters").select(["name", "expires_at"]).orderBy("name").execute();
    after.forEach((c, i) => expect(c.expires_at! - before[i]!.expires_at!).toBe(3 * 86_400_000));
    await t.idle();
    expect(t.port.dmsTo("console:bob").some((d) => d.card.title === "lab5-01 was extended")).toBe(true);

    const added = await t.cmd("console:ada", "class add lab5 console:s1");
    expect(added.card.title).toBe("lab5-03 added to lab5");
    expect((await t.cmd("console:ada", "class add lab5 console:s1")).code).toBe("class.already_in");
    expect((await t.cmd("console:ada", "class add lab5 console:eve")).code).toBe("class.not_members");
    expect((await t.cmd("console:ada", "class extend lab5 soon")).card.text).toContain('Duration must be a duration like 30m, 12h, 7d or 2w, not "soon"');
    await t.idle();
    expect((await t.cmd("console:ada", "class status lab5")).card.title).toBe("Class session lab5 · cs401: 3 / 3 ready");
    expect((await t.cmd("console:ada", "class status nope")).code).toBe("class.not_found");
  });

  it("delete asks once, then destroys every cluster and ends the session; a student's button press is refused", async () => {
    t = await makeCore({ config: config() });
    await t.cmd("console:ada", "class create lab5 workers=0 for=console:bob,console:carol");
    await t.idle();
    const confirm = await t.cmd("console:ada", "class delete lab5");
    expect(confirm.card.title).toBe("Delete class session lab5?");
    expect(confirm.card.text).toContain("destroys all 2 of its clusters");
    const button = confirm.card.buttons!.find((b) => b.label === "Delete all")!;
    expect((await t.press("console:bob", "class.delete", button.value)).code).toBe("rbac.denied");
    expect((await t.press("console:bob", "class.keep", button.value)).code).toBe("class.not_found");
    const r = await t.press("console:ada", "class.delete", button.value);
    expect(r.card.title).toBe("Deleting lab5");
    expect((await t.press("console:ada", "class.delete", button.value)).code).toBe("class.deleted");
    await t.idle();
    expect((await clusters()).map((c) => `${c.name} ${c.state}`)).toEqual(["lab5-01 deleted", "lab5-02 deleted"]);
    expect(await t.core.app.db.k.selectFrom("ip_allocations").selectAll().execute()).toEqual([]);
    expect(t.port.dmsTo("console:carol").some((d) => d.card.title === "lab5-02 is being deleted")).toBe(true);
    // The name is free again once the session is gone.
    expect((await t.cmd("console:ada", "class status lab5")).code).toBe("class.not_found");
    expect((await t.cmd("console:ada", "class create lab5 workers=0 for=console:bob")).code).toBeUndefined();
  });

  it("a delete before the planned start cancels the held jobs: nothing is ever provisioned", async () => {
    t = await makeCore({ config: config() });
    await t.cmd("console:ada", "class create lab5 workers=0 at=+3h for=console:bob,console:carol");
    const s = await t.core.app.db.k.selectFrom("class_sessions").select("id").executeTakeFirstOrThrow();
    await t.press("console:ada", "class.delete", s.id);
    await t.idle();
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).orderBy("id").execute();
    expect(jobs.filter((j) => j.kind === "provision").map((j) => j.state)).toEqual(["cancelled", "cancelled"]);
    expect(jobs.filter((j) => j.kind === "destroy").map((j) => j.state)).toEqual(["succeeded", "succeeded"]);
  });
});

describe("a session in the queue and in its thread", () => {
  it("queue shows held jobs with their start, not as next in line", async () => {
    t = await makeCore({ config: config() });
    await t.cmd("console:ada", "class create lab5 workers=0 at=+3h for=console:bob,console:carol");
    const q = await t.cmd("console:bob", "queue");
    expect(q.card.title).toBe("Queue: 0 running, 0 waiting, 2 held until later (at most 3 at once)");
    expect(q.card.code).toMatch(/^held {5}provision cs401\/lab5-01 for console:bob · until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/m);
    const status = await t.cmd("console:bob", "status lab5-01");
    expect(JSON.stringify(status.card)).not.toMatch(/[Pp]osition/);
  });

  it("a failed cluster reports under the session's message, naming itself, with Retry; the steps done are left out", async () => {
    t = await makeCore({ config: config({ infra: { driver: "simulated", simulated: { step_ms: 0, fail: { "lab5-02": "configure" } } } }) });
    await t.cmd("console:ada", "class create lab5 workers=0 for=console:bob,console:carol");
    await t.idle();
    const root = t.port.sent.find((m) => m.kind === "post" && m.card.title.startsWith("Class session lab5"))!;
    const thread = t.port.sent.filter((m) => m.kind === "thread");
    expect(thread.every((m) => m.target === root.ref)).toBe(true);
    expect(thread.map((m) => m.card.title)).toContain("lab5-02: ✗ Installing Kubernetes failed");
    expect(thread.some((m) => m.card.title.startsWith("lab5-01"))).toBe(false);
    const retry = thread.flatMap((m) => m.card.buttons ?? []).find((b) => b.action === "retry");
    expect(retry).toBeDefined();
    const last = t.port.sent.filter((m) => m.kind === "update" && m.target === root.ref).at(-1)!;
    expect(last.card.title).toBe("Class session lab5 · cs401: 1 / 2 ready");
    expect(last.card.text).toBe("1 failed: the thread under this message has the step and a Retry button for each.");
    // Retry (by the instructor) provisions it again, still as part of the session.
    expect((await t.press("console:ada", "retry", retry!.value)).code).toBeUndefined();
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["dedupe_key", "session_id"]).where("kind", "=", "provision").where("cluster_id", "=", retry!.value).orderBy("id").execute();
    expect(jobs).toHaveLength(2);
    expect(jobs[1]!.session_id).toBe(jobs[0]!.session_id);
    expect(jobs[1]!.session_id).not.toBeNull();
  });
});

describe("class grammar", () => {
  it("help class shows the usage, who may use it and examples", async () => {
    t = await makeCore({ config: config() });
    const h = await t.cmd("console:bob", "help class");
    expect(h.card.title).toBe("/cluster class — give every student of a class a cluster, ready when the lab starts");
    expect(h.card.code).toContain("/cluster class create|status|extend|delete|add <session> [<value>] [workers=N] [size=small|medium|large] [ttl=<duration>] [at=<time>] [for=students|<identity>,…] [tenant=<id>]");
    expect(h.card.code).toContain("at=: create: when the lab starts, in the tenant's time zone: tue 14:00 (tue-14:00), 2026-12-08T14:00, 14:00 or +3h; default now");
    expect(h.card.code).toContain("  /cluster class create lab5 workers=1 at=tue 14:00");
    expect(h.card.text).toContain("Who: instructors.");
  });

  it.each([
    ["class create lab5 workers=1 at=tue 14:00", { action: "create", session: "lab5" }, { workers: 1, at: "tue 14:00" }],
    ["class create lab5 at=tue-14:00 for=students", { action: "create", session: "lab5" }, { at: "tue-14:00", for: "students" }],
    ["class create lab5 at=2026-12-08T14:00", { action: "create", session: "lab5" }, { at: "2026-12-08T14:00" }],
    ["class add lab5 <@U0DAN>", { action: "add", session: "lab5", value: "<@U0DAN>" }, {}],
  ])("%s", (text, args, options) => {
    expect(parseCommand(text)).toEqual({ kind: "command", name: "class", args, options });
  });

  it.each([
    ["class create lab5 at=tue", "at must be a time like tue 14:00"],
    ["class create lab5 at=2026-02-30T14:00", "at must be a time like"],
    ["class create lab5 at=+3y", "at must be a time like"],
    ["class create lab5 for=bob", 'for "bob" is not a person'],
    ["class create a-very-long-session-name", 'session "a-very-long-session-name" is not valid'],
    ["class rename lab5", "action must be one of create, status, extend, delete, add"],
  ])("%s → usage error", (text, error) => {
    const r = parseCommand(text);
    expect(r.kind).toBe("usage");
    if (r.kind === "usage") expect(r.error).toContain(error);
  });
});
