/** Day-2 operations on the web page: Stop, Start, Scale and Rebuild (after its confirm page) run the core's own actions. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWebRig, type WebRig } from "./rig.ts";
import { baseConfig } from "../helpers/harness.ts";

let rig: WebRig;
let cookie: string;
const db = () => rig.t.core.app.db.k;
const named = (name: string) => db().selectFrom("clusters").selectAll().where("name", "=", name).orderBy("created_at", "desc").executeTakeFirstOrThrow();

beforeAll(async () => {
  const config = baseConfig() as { infra: Record<string, unknown> };
  config.infra = { driver: "simulated", simulated: { step_ms: 0 } };
  rig = await startWebRig({ config });
  expect((await rig.t.cmd("console:eve", "create ops1 workers=1", "console:#dsg")).code).toBeUndefined();
  await rig.t.idle();
  cookie = await rig.signIn("console:eve");
}, 60_000);
afterAll(async () => { await rig?.close(); });

async function press(path: string, fields: Record<string, string> = {}): Promise<number> {
  const csrf = await rig.csrfOf("/", cookie);
  const status = (await rig.post(path, cookie, { csrf, nonce: `n-${Math.random().toString(36).slice(2, 12)}`, ...fields })).status;
  await rig.t.idle();
  return status;
}

it("offers Stop, Scale and Rebuild on a ready cluster, Start on a stopped one; each goes through the core", async () => {
  const c = await named("ops1");
  const html = await (await rig.get("/", cookie)).text();
  expect(html).toContain(">Stop<");
  expect(html).toContain(">Scale<");
  expect(html).toContain("Rebuild…");
  expect(html).not.toContain(">Start<");

  expect(await press(`/clusters/${c.id}/stop`)).toBe(303);
  expect((await named("ops1")).state).toBe("stopped");
  const stopped = await (await rig.get("/", cookie)).text();
  expect(stopped).toContain(">Start<");
  expect(stopped).not.toContain(">Stop<");

  expect(await press(`/clusters/${c.id}/start`)).toBe(303);
  expect((await named("ops1")).state).toBe("ready");

  expect(await press(`/clusters/${c.id}/scale`, { workers: "2" })).toBe(303);
  expect((await named("ops1")).workers).toBe(2);
  // Anything but digits never reaches the command.
  expect(await press(`/clusters/${c.id}/scale`, { workers: "1 tenant=cs401" })).toBe(303);
  expect((await named("ops1")).workers).toBe(2);

  const confirm = await (await rig.get(`/clusters/${c.id}/rebuild`, cookie)).text();
  expect(confirm).toContain("Rebuild ops1?");
  const kubeconfigs = () => rig.t.port.sent.filter((s) => s.file?.filename === "dsg-ops1.kubeconfig").length;
  const before = kubeconfigs();
  expect(await press(`/clusters/${c.id}/rebuild`)).toBe(303);
  expect((await named("ops1")).state).toBe("ready");
  expect(kubeconfigs()).toBe(before + 1);

  const sources = await db().selectFrom("audit").select(["action", "source"]).where("target", "=", "ops1").where("source", "=", "web").execute();
  expect(sources.map((s) => s.action)).toEqual(expect.arrayContaining([expect.stringMatching(/stop/), expect.stringMatching(/start/), expect.stringMatching(/scale/), expect.stringMatching(/rebuild/)]));
});

it("a student of another tenant is offered nothing and can press nothing on it", async () => {
  const c = await named("ops1");
  const bob = await rig.signIn("console:bob");
  const csrf = await rig.csrfOf("/", bob);
  expect((await rig.post(`/clusters/${c.id}/stop`, bob, { csrf, nonce: "bob-stop-1" })).status).toBe(303);
  await rig.t.idle();
  expect((await named("ops1")).state).toBe("ready");
});
