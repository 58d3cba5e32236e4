/** Day-2 operations through the real core (SQLite, queue, simulated driver): stop/start, scale, rebuild, quotas, audit. */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { usageOf } from "../../src/clusters/quota.ts";
import { ipsOf } from "../../src/ippool/pool.ts";
import { nodesOf } from "../../src/clusters/repo.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { auditOf, readyCluster, row } from "./helpers.ts";

let t: TestCore;
afterEach(async () => { await t?.close(); });

const jobsOf = (c: { id: string }) => t.core.app.db.k.selectFrom("jobs").select(["kind", "state"]).where("cluster_id", "=", c.id).orderBy("id").execute();
const simState = (id: string) => JSON.parse(readFileSync(join(workspaceOf(t.dataDir, id), "simulated-state.json"), "utf8")) as { running?: boolean; members?: string[]; nodes: { name: string; ip: string }[] };
const rootCards = () => t.port.sent.filter((s) => s.kind === "post" || s.kind === "update").map((s) => s.card);
const threadTitles = () => t.port.sent.filter((s) => s.kind === "thread").map((s) => s.card.title);

describe("stop and start", () => {
  it("powers off and on, frees vCPUs and memory (not clusters or nodes) while stopped, and shows Stop/Start on the root message", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=1" });
    expect(rootCards().at(-1)!.buttons?.map((b) => [b.action, b.value])).toEqual([["stop", c.id]]);
    expect(await usageOf(t.core.app.db.k, "cs401")).toEqual({ clusters: 1, nodes: 2, vcpus: 4, memory_gb: 4 });

    const r = await t.cmd("console:bob", "stop lab3");
    expect(r.code).toBeUndefined();
    expect(r.card.title).toBe("Stopping lab3");
    await t.idle();
    const stopped = await row(t, "lab3");
    expect(stopped.state).toBe("stopped");
    expect(simState(c.id).running).toBe(false);
    expect(stopped.nodes).toBe(c.nodes);
    expect(await ipsOf(t.core.app.db.k, c.id)).toEqual(["10.40.19.201", "10.40.19.202"]);
    expect(await usageOf(t.core.app.db.k, "cs401")).toEqual({ clusters: 1, nodes: 2, vcpus: 0, memory_gb: 0 });
    expect(rootCards().at(-1)!.fields![0]).toEqual({ label: "State", value: "Stopped (powered off)" });
    expect(rootCards().at(-1)!.buttons?.map((b) => b.action)).toEqual(["start"]);
    // kubectl work needs running VMs.
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBe("cluster.not_ready");
    expect((await t.cmd("console:bob", "stop lab3")).code).toBe("cluster.stopped");
    // The kubeconfig stays and can be sent again while stopped.
    expect((await t.cmd("console:bob", "kubeconfig lab3")).card.title).toBe("Sent");
    // It still expires, and can be extended.
    expect((await t.cmd("console:bob", "extend lab3 1d")).code).toBeUndefined();
    expect((await row(t, "lab3")).expires_at).toBe(c.expires_at! + 86_400_000);

    // The Start button works like the command.
    const started = await t.press("console:bob", "start", c.id);
    expect(started.card.title).toBe("Starting lab3");
    await t.idle();
    const after = await row(t, "lab3");
    expect(after.state).toBe("ready");
    expect(simState(c.id).running).toBe(true);
    expect(after.started_at).toBe(t.clock.now());
    expect(threadTitles()).toEqual(expect.arrayContaining(["⏻ Stopping", "✓ Powering off", "✓ Stopped", "⏻ Starting", "✓ Powering on", "✓ Waiting for nodes to be Ready", "✓ Started"]));
    expect((await jobsOf(c)).slice(2)).toEqual([{ kind: "stop", state: "succeeded" }, { kind: "start", state: "succeeded" }]);
    const actions = (await auditOf(t, "lab3")).map((a) => `${a.actor} ${a.action}`);
    expect(actions).toEqual(expect.arrayContaining(["console:bob cluster.stop", "labforge cluster.stopped", "console:bob cluster.start", "labforge cluster.started"]));
    // The kubeconfig was not replaced: the copy sent while stopped is the one delivered at ready.
    const files = t.port.dmsTo("console:bob").filter((s) => s.file);
    expect(files).toHaveLength(2);
    expect(files[1]!.file!.content).toBe(files[0]!.file!.content);
  });

  it("refuses other students and viewers, lets a TA stop a student's cluster, and refuses a start the vCPU quota has no room for", async () => {
    const cfg = baseConfig() as { tenants: { cs401: { quota: Record<string, number>; limits: Record<string, unknown> } } };
    cfg.tenants.cs401.quota = { clusters: 4, nodes: 10, vcpus: 4, memory_gb: 40 };
    cfg.tenants.cs401.limits.per_user_clusters = 2;
    t = await makeCore({ config: cfg });
    const c = await readyCluster(t, "console:bob", "lab3");
    expect((await t.cmd("console:carol", "stop lab3")).code).toBe("rbac.denied");
    expect((await t.cmd("console:vic", "stop lab3")).code).toBe("rbac.denied");
    expect((await t.press("console:carol", "stop", c.id)).code).toBe("rbac.denied");
    expect((await t.cmd("console:tim", "stop lab3")).code).toBeUndefined();
    await t.idle();
    // While lab3 (1 worker: 4 vCPUs) is stopped its vCPUs are free: Carol's cluster fits, and then lab3 cannot start.
    await readyCluster(t, "console:carol", "lab4", { extra: "workers=1" });
    const refused = await t.cmd("console:bob", "start lab3");
    expect(refused.code).toBe("quota.vcpus");
    expect(refused.card.text).toContain("starting lab3 needs 4");
    expect((await row(t, "lab3")).state).toBe("stopped");
    expect((await auditOf(t, "lab3")).at(-1)).toMatchObject({ action: "cluster.start", outcome: "failure", detail: "quota.vcpus" });
  });

  it("a failed power-off is retried, then puts the cluster back to ready and says so in the thread", async () => {
    const cfg = baseConfig() as { infra: Record<string, unknown> };
    cfg.infra = { driver: "simulated", simulated: { step_ms: 0, fail: { lab3: "stop" } } };
    t = await makeCore({ config: cfg });
    const c = await readyCluster(t, "console:bob", "lab3");
    await t.cmd("console:bob", "stop lab3");
    await t.idle();
    const after = await row(t, "lab3");
    expect(after.state).toBe("ready");
    expect(after.failure).toContain("stop failed at “Powering off”");
    const job = await t.core.app.db.k.selectFrom("jobs").selectAll().where("cluster_id", "=", c.id).where("kind", "=", "stop").executeTakeFirstOrThrow();
    expect([job.state, job.attempts]).toEqual(["failed", 3]);
    expect(threadTitles()).toContain("✗ Powering off failed");
  });
});

describe("scale", () => {
  it("adds workers on per-node addresses past a neighbour, joins them, then drains before removing and frees their addresses", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=0" });
    // A neighbour takes the addresses right after lab3's.
    await readyCluster(t, "console:dan", "other", { tenant: "dsg", extra: "workers=1" });
    expect(await ipsOf(t.core.app.db.k, c.id)).toEqual(["10.40.19.201"]);

    expect((await t.cmd("console:bob", "scale lab3 workers=2")).code).toBeUndefined();
    expect((await row(t, "lab3")).state).toBe("scaling");
    await t.idle();
    let r = await row(t, "lab3");
    expect(r.state).toBe("ready");
    expect(r.workers).toBe(2);
    expect(nodesOf(r).map((n) => `${n.name} ${n.ip}`)).toEqual(["cs401-lab3-cp 10.40.19.201", "cs401-lab3-w1 10.40.19.204", "cs401-lab3-w2 10.40.19.205"]);
    expect(simState(c.id).members).toEqual(["cs401-lab3-cp", "cs401-lab3-w1", "cs401-lab3-w2"]);
    expect(threadTitles()).toEqual(expect.arrayContaining(["✓ Cloning VMs", "✓ Joining workers", "✓ Scaled to 2 workers"]));
    expect(await usageOf(t.core.app.db.k, "cs401")).toMatchObject({ nodes: 3 });

    // Down to 1: w2 is drained (the simulated driver refuses to delete a VM Kubernetes still has), then removed.
    expect((await t.cmd("console:bob", "scale lab3 workers=1")).code).toBeUndefined();
    await t.idle();
    r = await row(t, "lab3");
    expect([r.state, r.workers]).toEqual(["ready", 1]);
    expect(nodesOf(r).map((n) => n.name)).toEqual(["cs401-lab3-cp", "cs401-lab3-w1"]);
    expect(await ipsOf(t.core.app.db.k, c.id)).toEqual(["10.40.19.201", "10.40.19.204"]);
    expect(simState(c.id).members).toEqual(["cs401-lab3-cp", "cs401-lab3-w1"]);
    const titles = threadTitles();
    expect(titles.indexOf("✓ Draining workers")).toBeLessThan(titles.lastIndexOf("✓ Removing VMs"));
    const scaled = (await auditOf(t, "lab3")).filter((a) => a.action.startsWith("cluster.scale"));
    expect(scaled.map((a) => `${a.actor} ${a.action} ${a.detail}`)).toEqual([
      "console:bob cluster.scale 0 → 2 workers", "labforge cluster.scaled 2 workers; 0 IPs freed",
      "console:bob cluster.scale 2 → 1 workers", "labforge cluster.scaled 1 workers; 1 IPs freed",
    ]);
  });

  it("keeps owners within max_workers and the quota, lets a TA go beyond max_workers, and asks for workers=N", async () => {
    t = await makeCore();
    await readyCluster(t, "console:bob", "lab3");
    const over = await t.cmd("console:bob", "scale lab3 workers=4");
    expect(over.code).toBe("limits.max_workers");
    expect(over.card.text).toContain("cs401 allows owners 0 to 3 workers");
    expect((await t.cmd("console:bob", "scale lab3")).code).toBe("usage");
    expect((await t.cmd("console:bob", "scale lab3 workers=51")).code).toBe("usage");
    expect((await t.cmd("console:carol", "scale lab3 workers=1")).code).toBe("rbac.denied");
    // cs401's quota: 10 nodes, 20 vCPUs (small = 2 vCPUs). A TA may pass max_workers, not the quota.
    const quota = await t.cmd("console:tim", "scale lab3 workers=10");
    expect(quota.code).toBe("quota.nodes");
    expect((await t.cmd("console:tim", "scale lab3 workers=5")).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "lab3")).workers).toBe(5);
    expect((await t.cmd("console:bob", "scale lab3 workers=5")).code).toBe("limits.max_workers");
  });
});

describe("a failed scale", () => {
  it("is retried, then leaves the cluster ready with the workers that exist, and says where it stopped", async () => {
    const cfg = baseConfig() as { infra: Record<string, unknown> };
    cfg.infra = { driver: "simulated", simulated: { step_ms: 0, fail: { lab3: "join" } } };
    t = await makeCore({ config: cfg });
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=0" });
    await t.cmd("console:bob", "scale lab3 workers=2");
    await t.idle();
    const r = await row(t, "lab3");
    // The VMs were cloned before the join failed: they exist, hold their addresses and count.
    expect([r.state, r.workers, nodesOf(r).length]).toEqual(["ready", 2, 3]);
    expect(r.failure).toContain("scale to 2 workers failed at “Joining workers”");
    expect(await ipsOf(t.core.app.db.k, c.id)).toHaveLength(3);
    const job = await t.core.app.db.k.selectFrom("jobs").selectAll().where("cluster_id", "=", c.id).where("kind", "=", "scale").executeTakeFirstOrThrow();
    expect([job.state, job.attempts]).toEqual(["failed", 2]);
    expect(threadTitles()).toContain("✗ Joining workers failed");
    expect(t.port.dmsTo("console:bob").map((d) => d.card.title)).toContain("lab3: scale to 2 workers failed");
  });
});

describe("rebuild", () => {
  it("asks to confirm, destroys and re-creates on the same addresses, DMs a new kubeconfig and keeps the expiry", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=1" });
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBeUndefined();
    const ask = await t.cmd("console:bob", "rebuild lab3");
    expect(ask.card.buttons?.map((b) => [b.action, b.value])).toEqual([["rebuild.confirm", c.id], ["rebuild.cancel", c.id]]);
    expect((await row(t, "lab3")).state).toBe("ready");
    expect((await t.press("console:carol", "rebuild.confirm", c.id)).code).toBe("rbac.denied");
    expect((await t.press("console:bob", "rebuild.cancel", c.id)).card.title).toBe("Kept");
    const oldConfig = await t.core.app.kubeconfigs.load(c.id);

    expect((await t.press("console:bob", "rebuild.confirm", c.id)).card.title).toBe("Rebuilding lab3");
    await t.idle();
    const r = await row(t, "lab3");
    expect(r.state).toBe("ready");
    expect(r.expires_at).toBe(c.expires_at);
    expect(nodesOf(r).map((n) => n.ip)).toEqual(["10.40.19.201", "10.40.19.202"]);
    const newConfig = await t.core.app.kubeconfigs.load(c.id);
    expect(newConfig).not.toBe(oldConfig);
    const files = t.port.dmsTo("console:bob").filter((s) => s.file);
    expect(files).toHaveLength(2);
    expect(files[1]!.file!.content).toBe(newConfig);
    // The new cluster has none of the old namespaces.
    expect((await t.cmd("console:bob", "ns list lab3")).card.text ?? "").not.toContain("team-a");
    expect((await jobsOf(c)).map((j) => `${j.kind} ${j.state}`)).toEqual([
      "provision succeeded", "deliver succeeded", "rebuild succeeded", "provision succeeded", "deliver succeeded",
    ]);
    expect(threadTitles()).toEqual(expect.arrayContaining(["↻ Rebuilding", "✓ Destroying the old VMs", "✓ Old VMs destroyed"]));
  });

  it("a delete wins over a stopped cluster and over a queued day-2 job", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3");
    await t.cmd("console:bob", "stop lab3");
    await t.idle();
    const del = await t.cmd("console:bob", "delete lab3");
    expect(del.card.buttons?.[0]?.action).toBe("delete.confirm");
    expect((await t.press("console:bob", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "lab3")).state).toBe("deleted");
    expect(await ipsOf(t.core.app.db.k, c.id)).toEqual([]);
  });
});
