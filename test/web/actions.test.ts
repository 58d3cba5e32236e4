/** The page's buttons (issue 15): Extend, Delete (after its confirm page) and Retry run the core's own actions. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWebRig, type WebRig } from "./rig.ts";
import { baseConfig } from "../helpers/harness.ts";

let rig: WebRig;
let cookie: string;
const db = () => rig.t.core.app.db.k;
const clusterNamed = (name: string) => db().selectFrom("clusters").selectAll().where("name", "=", name).orderBy("created_at", "desc").executeTakeFirstOrThrow();

beforeAll(async () => {
  const config = baseConfig() as { infra: Record<string, unknown> };
  config.infra = { driver: "simulated", simulated: { step_ms: 0, fail: { flaky1: "configure" } } };
  rig = await startWebRig({ config });
  // eve (dsg, no approvals, 5 clusters allowed) gets a ready cluster and a failed one.
  expect((await rig.t.cmd("console:eve", "create keep1", "console:#dsg")).code).toBeUndefined();
  expect((await rig.t.cmd("console:eve", "create flaky1", "console:#dsg")).code).toBeUndefined();
  await rig.t.idle();
  cookie = await rig.signIn("console:eve");
}, 60_000);
afterAll(async () => { await rig?.close(); });

it("offers Extend, Delete and the kubeconfig on a ready cluster, Retry on a failed one", async () => {
  const html = await (await rig.get("/", cookie)).text();
  const blocks = html.split('<div class="card cluster"');
  const keep = blocks.find((b) => b.includes('data-cluster="keep1"'))!;
  const flaky = blocks.find((b) => b.includes('data-cluster="flaky1"'))!;
  expect(keep).toContain(">Extend<");
  expect(keep).toContain("Delete…");
  expect(keep).toContain("kubeconfig by DM");
  expect(keep).not.toContain(">Retry<");
  expect(flaky).toContain(">Retry<");
  expect(flaky).toContain("configure"); // the failure says which step
  expect(flaky).not.toContain(">Extend<");
});

it("Extend moves the expiry by the tenant's step", async () => {
  const before = await clusterNamed("keep1");
  const csrf = await rig.csrfOf("/", cookie);
  expect((await rig.post(`/clusters/${before.id}/extend`, cookie, { csrf, nonce: "extend-keep1-1" })).status).toBe(303);
  const after = await clusterNamed("keep1");
  expect(after.expires_at! - before.expires_at!).toBe(7 * 86_400_000);
});

it("Retry queues the failed cluster again through the core", async () => {
  const c = await clusterNamed("flaky1");
  expect(c.state).toBe("failed");
  const csrf = await rig.csrfOf("/", cookie);
  expect((await rig.post(`/clusters/${c.id}/retry`, cookie, { csrf, nonce: "retry-flaky1-1" })).status).toBe(303);
  const provisions = await db().selectFrom("jobs").select("id").where("cluster_id", "=", c.id).where("kind", "=", "provision").execute();
  expect(provisions).toHaveLength(2);
  const row = await db().selectFrom("audit").select("source").where("target", "=", "flaky1").where("action", "like", "%retry%").executeTakeFirst();
  expect(row?.source).toBe("web");
  await rig.t.idle();
});

it("Delete asks on its own page first, then deletes", async () => {
  const c = await clusterNamed("keep1");
  const confirm = await (await rig.get(`/clusters/${c.id}/delete`, cookie)).text();
  expect(confirm).toContain("Delete keep1?");
  expect((await clusterNamed("keep1")).state).toBe("ready"); // looking at the page deletes nothing
  const csrf = /name="csrf" value="([^"]+)"/.exec(confirm)![1]!;
  const done = await rig.post(`/clusters/${c.id}/delete`, cookie, { csrf, nonce: "delete-keep1-1" }, { referer: `${rig.base}/clusters/${c.id}/delete` });
  expect(done.status).toBe(303);
  expect(done.headers.get("location")).toBe("/");
  expect(["deleting", "deleted"]).toContain((await clusterNamed("keep1")).state);
  await rig.t.idle();
  expect(await (await rig.get("/", cookie)).text()).not.toContain('data-cluster="keep1"');
});
