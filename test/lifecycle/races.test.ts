/**
 * Races around the lifecycle, with deterministic scheduling (a driver whose steps wait at gates the test opens)
 * and a manual clock: whoever moves second is refused, a delete wins, and nothing is built twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { GatedDriver } from "../helpers/gated-driver.ts";
import { row } from "./helpers.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serviceAccountFor } from "../../src/namespaces/names.ts";

let t: TestCore;
let driver: GatedDriver;
afterEach(async () => { await t?.close(); });

async function start(edit: (c: any) => void = () => {}): Promise<void> {
  const config = baseConfig() as any;
  edit(config);
  t = await makeCore({ config, driver: (cfg, dataDir) => (driver = new GatedDriver(dataDir, { ...cfg.infra.simulated.fail })) });
}

async function jobs(): Promise<{ kind: string; state: string; cluster: string }[]> {
  return t.core.app.db.k.selectFrom("jobs").innerJoin("clusters", "clusters.id", "jobs.cluster_id")
    .select(["jobs.kind", "jobs.state", "clusters.name as cluster"]).orderBy("jobs.id").execute();
}

async function ipsOf(name: string): Promise<number> {
  const c = await row(t, name);
  return (await t.core.app.db.k.selectFrom("ip_allocations").select("ip").where("cluster_id", "=", c.id).execute()).length;
}

describe("lifecycle races", () => {
  it("a delete while provisioning, with every job slot busy, aborts the run at once: never ready, no kubeconfig", async () => {
    await start((c) => { c.queue = { max_parallel_jobs: 2, max_parallel_clones: 2 }; });
    const other = driver.hold("other", "configure");
    const doomed = driver.hold("doomed", "configure");
    await t.cmd("console:dan", "create other workers=1", "console:#dsg");
    await t.cmd("console:dan", "create doomed workers=1", "console:#dsg");
    await Promise.all([other.reached, doomed.reached]);
    expect((await row(t, "doomed")).state).toBe("provisioning");
    // Both slots are taken; the delete must not wait for one.
    expect((await t.press("console:dan", "delete.confirm", (await row(t, "doomed")).id)).code).toBeUndefined();
    doomed.open(); // a late step finishing must change nothing now
    for (let i = 0; i < 100 && (await row(t, "doomed")).state !== "deleted"; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await row(t, "doomed")).state).toBe("deleted");
    expect((await row(t, "other")).state).toBe("provisioning"); // still held at its gate: the destroy did not wait for it
    other.open();
    await t.idle();
    expect(await jobs()).toEqual([
      { kind: "provision", state: "succeeded", cluster: "other" },
      { kind: "provision", state: "cancelled", cluster: "doomed" },
      { kind: "destroy", state: "succeeded", cluster: "doomed" },
      { kind: "deliver", state: "succeeded", cluster: "other" },
    ]);
    const doomedId = (await row(t, "doomed")).id;
    const roots = t.port.sent.filter((s) => (s.kind === "post" || s.kind === "update") && s.card.title.startsWith("doomed"));
    expect(roots.map((s) => s.card.fields?.[0]?.value)).not.toContain("Ready");
    expect(t.port.sent.filter((s) => s.file).map((s) => s.file!.filename)).toEqual(["dsg-other.kubeconfig"]);
    expect(driver.calls.filter((c) => c.startsWith("doomed:"))).not.toContain("doomed:fetchKubeconfig");
    expect(await t.core.app.db.k.selectFrom("kubeconfigs").select("cluster_id").where("cluster_id", "=", doomedId).execute()).toEqual([]);
    expect(await ipsOf("doomed")).toBe(0);
  });

  it("a retry during the clean-up of a failed run is refused until the clean-up is done, then starts over", async () => {
    await start((c) => { c.infra.simulated.fail = { boom: "configure" }; });
    const cleanup = driver.hold("boom", "destroy");
    await t.cmd("console:dan", "create boom workers=1", "console:#dsg");
    await cleanup.reached;
    const c = await row(t, "boom");
    expect(c.state).toBe("failed");
    const early = await t.press("console:dan", "retry", c.id);
    expect(early.code).toBe("cluster.cleaning_up");
    expect(early.card.text).toContain("still being cleaned up");
    expect(await ipsOf("boom")).toBe(2); // the clean-up has not freed them yet
    cleanup.open();
    await t.idle();
    expect(await ipsOf("boom")).toBe(0);
    (driver as any).opts.fail = {};
    expect((await t.press("console:dan", "retry", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await row(t, "boom")).state).toBe("ready");
    expect(await ipsOf("boom")).toBe(2);
    expect((await jobs()).map((j) => `${j.kind}:${j.state}`)).toEqual(["provision:failed", "cleanup:succeeded", "provision:succeeded", "deliver:succeeded"]);
  });

  it("two approvals at once make one decision and one provision job", async () => {
    await start();
    await t.cmd("console:bob", "create lab3");
    const id = String((await t.core.app.db.k.selectFrom("requests").select("id").executeTakeFirstOrThrow()).id);
    const [a, b] = await Promise.all([t.press("console:ada", "approve", id, "ada-1"), t.press("console:tim", "approve", id, "tim-1")]);
    expect([a.code, b.code].sort()).toEqual(["approval.decided", undefined].sort());
    await t.idle();
    expect((await jobs()).map((j) => j.kind)).toEqual(["provision", "deliver"]);
  });

  it("a double Retry queues one attempt", async () => {
    await start((c) => { c.infra.simulated.fail = { boom: "apply" }; });
    await t.cmd("console:dan", "create boom", "console:#dsg");
    await t.idle();
    (driver as any).opts.fail = {};
    const id = (await row(t, "boom")).id;
    const [a, b] = await Promise.all([t.press("console:dan", "retry", id, "r-1"), t.press("console:dan", "retry", id, "r-2")]);
    expect([a.code, b.code].filter(Boolean)).toHaveLength(1);
    await t.idle();
    expect((await jobs()).filter((j) => j.kind === "provision").map((j) => j.state)).toEqual(["failed", "succeeded"]);
  });

  it("revoke, then approve: the request was cancelled with the role, and nothing reaches the revoked person", async () => {
    await start();
    expect((await t.cmd("console:ada", "grant console:zed student")).code).toBeUndefined();
    expect((await t.cmd("console:zed", "create zlab")).code).toBeUndefined();
    const revoked = await t.cmd("console:ada", "revoke console:zed");
    expect(revoked.card.text).toContain("1 pending request was cancelled");
    expect(t.port.dmsTo("console:zed").map((s) => s.card.title)).toContain("Request #1 was cancelled");
    const approve = await t.cmd("console:tim", "approve 1");
    expect(approve.code).toBe("approval.decided");
    await t.idle();
    expect((await row(t, "zlab")).state).toBe("deleted");
    expect(await jobs()).toEqual([]);
    expect(t.port.sent.some((s) => s.file)).toBe(false);
  });

  it("a revoke removes the namespace access labforge made for that person, by an ns_revoke job", async () => {
    await start();
    expect((await t.cmd("console:ada", "grant console:zed student")).code).toBeUndefined();
    await t.cmd("console:bob", "create lab3");
    await t.cmd("console:ada", "approve lab3");
    await t.idle();
    expect((await t.cmd("console:bob", "ns create lab3 team-z")).code).toBeUndefined();
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-z for=console:zed")).code).toBeUndefined();
    const c = await row(t, "lab3");
    const access = () => t.core.app.db.k.selectFrom("namespace_access").select(["namespace", "identity"]).where("cluster_id", "=", c.id).execute();
    expect(await access()).toEqual([{ namespace: "team-z", identity: "console:zed" }]);
    const kubectl = driver.kubectl.bind(driver);
    const argv: string[][] = [];
    (driver as any).kubectl = (...a: Parameters<typeof kubectl>) => { argv.push(a[2]); return kubectl(...a); };
    const revoked = await t.cmd("console:ada", "revoke console:zed");
    expect(revoked.card.text).toContain("namespace access is being removed from 1 cluster");
    await t.idle();
    expect(argv.filter((a) => a[0] === "delete")).toEqual([["delete", "-n", "team-z", `serviceaccount/${serviceAccountFor("console:zed")}`, `rolebinding/${serviceAccountFor("console:zed")}-edit`, "--ignore-not-found"]]);
    expect(await access()).toEqual([]);
    expect((await jobs()).filter((j) => j.kind === "ns_revoke").map((j) => j.state)).toEqual(["succeeded"]);
    const state = JSON.parse(readFileSync(join(t.dataDir, "workspaces", c.id, "simulated-state.json"), "utf8")) as { serviceAccounts: string[] };
    expect(state.serviceAccounts).toEqual([]);
  });

  it("a delivery to an owner who lost their role is refused; the cluster stays ready", async () => {
    await start();
    expect((await t.cmd("console:dan", "grant console:zed student", "console:#dsg")).code).toBeUndefined();
    const gate = driver.hold("zcl", "fetchKubeconfig");
    expect((await t.cmd("console:zed", "create zcl", "console:#dsg")).code).toBeUndefined();
    await gate.reached;
    await t.cmd("console:dan", "revoke console:zed", "console:#dsg");
    gate.open();
    await t.idle();
    expect((await row(t, "zcl")).state).toBe("ready");
    expect(t.port.sent.filter((s) => s.file)).toEqual([]);
    expect((await jobs()).map((j) => `${j.kind}:${j.state}`)).toEqual(["provision:succeeded", "deliver:cancelled"]);
  });
});
