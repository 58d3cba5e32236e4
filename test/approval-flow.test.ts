import { afterEach, describe, expect, it } from "vitest";
import { makeCore, baseConfig, type TestCore } from "./helpers/harness.ts";
import { ManualClock } from "../src/util/clock.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

async function requestId(tc: TestCore, name: string): Promise<number> {
  const row = await tc.core.app.db.k.selectFrom("requests").innerJoin("clusters", "clusters.id", "requests.cluster_id")
    .select("requests.id").where("clusters.name", "=", name).executeTakeFirstOrThrow();
  return row.id;
}

async function clusterState(tc: TestCore, name: string): Promise<string | undefined> {
  const row = await tc.core.app.db.k.selectFrom("clusters").select("state").where("name", "=", name).orderBy("created_at", "desc").executeTakeFirst();
  return row?.state;
}

describe("student → instructor approval → ready → kubeconfig DM", () => {
  it("runs the whole flow and delivers the kubeconfig only by DM", async () => {
    t = await makeCore();
    const created = await t.cmd("console:bob", "create lab3 workers=2");
    expect(created.code).toBeUndefined();
    expect(created.visibility).toBe("private");
    await t.idle();
    const id = await requestId(t, "lab3");
    // Approval cards went to the cs401 staff, not to the requester.
    const cards = t.port.sent.filter((s) => s.kind === "dm" && s.card.buttons?.some((b) => b.action === "approve"));
    expect(cards.map((c) => c.target).sort()).toEqual(["console:ada", "console:tim"]);
    expect(await clusterState(t, "lab3")).toBe("pending_approval");

    const reply = await t.press("console:ada", "approve", String(id));
    expect(reply.code).toBeUndefined();
    await t.idle();
    expect(await clusterState(t, "lab3")).toBe("ready");

    const files = t.port.sent.filter((s) => s.file);
    expect(files).toHaveLength(1);
    expect(files[0]!.kind).toBe("dm");
    expect(files[0]!.target).toBe("console:bob");
    expect(files[0]!.file!.filename).toBe("cs401-lab3.kubeconfig");
    expect(files[0]!.file!.content).toContain("server: https://10.40.19.201:6443");
    expect(files[0]!.card.code).toContain("kubectl get nodes");
    // One root message in the channel, updated in place; thread replies per step.
    const posts = t.port.sent.filter((s) => s.kind === "post" && s.target === "console:#cs401");
    expect(posts).toHaveLength(1);
    const rootRef = posts[0]!.ref;
    const thread = t.port.sent.filter((s) => s.kind === "thread" && s.target === rootRef).map((s) => s.card.title);
    expect(thread).toEqual(["✓ Preparing workspace", "✓ Cloning VMs", "✓ Waiting for SSH", "✓ Installing Kubernetes", "✓ Fetching kubeconfig", "✓ Sending kubeconfig"]);
    const lastUpdate = t.port.sent.filter((s) => s.kind === "update" && s.target === rootRef).at(-1)!;
    expect(lastUpdate.card.fields?.find((f) => f.label === "State")?.value).toBe("Ready");
    // The requester learned the decision by DM.
    expect(t.port.dmsTo("console:bob").some((s) => s.card.title === "lab3 was approved")).toBe(true);
    // The kubeconfig never went to a channel or thread.
    const kubeconfig = files[0]!.file!.content;
    const token = /token: (\S+)/.exec(kubeconfig)![1]!;
    expect(t.port.sent.filter((s) => s.kind !== "dm" && JSON.stringify(s).includes(token))).toHaveLength(0);
    expect(t.logs.join("")).not.toContain(token);
  });

  it("stores the kubeconfig encrypted: the database file never holds it in clear", async () => {
    t = await makeCore();
    await t.cmd("console:dan", "create exp1", "console:#dsg");
    await t.idle();
    const file = t.port.sent.find((s) => s.file)!.file!.content;
    const token = /token: (\S+)/.exec(file)![1]!;
    const { readFileSync } = await import("node:fs");
    await t.core.app.db.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    const raw = readFileSync(`${t.dataDir}/labforge.db`);
    expect(raw.includes(Buffer.from(token))).toBe(false);
    const c = await t.core.app.db.k.selectFrom("clusters").select("id").where("name", "=", "exp1").executeTakeFirstOrThrow();
    expect(await t.core.app.kubeconfigs.load(c.id)).toBe(file);
  });
});

describe("approval rules", () => {
  it("refuses a student approving, the requester approving their own, and a second decision", async () => {
    t = await makeCore();
    await t.cmd("console:bob", "create lab3");
    await t.cmd("console:tim", "create tas1");
    await t.idle();
    const id = await requestId(t, "lab3");
    expect((await t.cmd("console:carol", `approve ${id}`)).code).toBe("rbac.denied");
    expect((await t.press("console:carol", "approve", String(id))).code).toBe("rbac.denied");
    expect((await t.cmd("console:dan", `approve ${id}`)).code).toBe("rbac.not_member");
    expect(await clusterState(t, "lab3")).toBe("pending_approval");

    // A TA's own cluster needs no approval under `approvals: students`.
    expect(await clusterState(t, "tas1")).not.toBe("pending_approval");

    const first = await t.press("console:tim", "approve", String(id));
    expect(first.code).toBeUndefined();
    const second = await t.press("console:ada", "reject", String(id));
    expect(second.code).toBe("approval.decided");
    expect(second.card.text).toContain("already approved by Tim");
    await t.idle();
    expect(await clusterState(t, "lab3")).toBe("ready");
  });

  it("never lets a requester approve their own request under approvals: everyone", async () => {
    const cfg = baseConfig() as { tenants: Record<string, Record<string, unknown>> };
    cfg.tenants.cs401!.approvals = "everyone";
    t = await makeCore({ config: cfg });
    await t.cmd("console:ada", "create prof1");
    const id = await requestId(t, "prof1");
    expect((await t.cmd("console:ada", `approve ${id}`)).code).toBe("approval.own_request");
    expect((await t.cmd("console:tim", "approve prof1")).code).toBeUndefined();
  });

  it("a rejection is final, tells the requester the reason, and frees the name", async () => {
    t = await makeCore();
    await t.cmd("console:bob", "create lab3");
    const r = await t.cmd("console:ada", "reject lab3 use the shared cluster");
    expect(r.code).toBeUndefined();
    await t.idle();
    expect(await clusterState(t, "lab3")).toBe("rejected");
    expect(t.port.dmsTo("console:bob").at(-1)!.card.text).toContain("use the shared cluster");
    expect((await t.cmd("console:bob", "create lab3")).code).toBeUndefined();
  });

  it("a request lapses after approval_timeout and the requester is told", async () => {
    const clock = new ManualClock();
    t = await makeCore({ clock });
    await t.cmd("console:bob", "create lab3");
    clock.advance(71 * 3_600_000);
    await t.core.sweep();
    expect(await clusterState(t, "lab3")).toBe("pending_approval");
    clock.advance(2 * 3_600_000);
    await t.core.sweep();
    await t.idle();
    expect(await clusterState(t, "lab3")).toBe("rejected");
    expect(t.port.dmsTo("console:bob").at(-1)!.card.title).toBe("Request #1 lapsed");
    const id = await requestId(t, "lab3");
    expect((await t.cmd("console:ada", `approve ${id}`)).code).toBe("approval.decided");
  });

  it("a duplicate delivery of the same command creates one cluster and one request", async () => {
    t = await makeCore();
    const [a, b] = await Promise.all([
      t.cmd("console:bob", "create lab3", "console:#cs401", "slack-trigger-1"),
      t.cmd("console:bob", "create lab3", "console:#cs401", "slack-trigger-1"),
    ]);
    const c = await t.cmd("console:bob", "create lab3", "console:#cs401", "slack-trigger-1");
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    const n = await t.core.app.db.k.selectFrom("requests").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it("a double click on Approve makes one decision and one job", async () => {
    t = await makeCore();
    await t.cmd("console:bob", "create lab3");
    const id = String(await requestId(t, "lab3"));
    const [a, b] = await Promise.all([t.press("console:ada", "approve", id, "click-1"), t.press("console:ada", "approve", id, "click-1")]);
    expect(a).toEqual(b);
    const third = await t.press("console:ada", "approve", id, "click-2");
    expect(third.code).toBe("approval.decided");
    await t.idle();
    const jobs = await t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).orderBy("id").execute();
    expect(jobs).toEqual([{ kind: "provision", state: "succeeded" }, { kind: "deliver", state: "succeeded" }]);
  });
});
