/** Who sees and does what on the web page and the API (issue 15): the core's own checks, CSRF on every POST, audited as web. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebRig, type WebRig } from "./rig.ts";

let rig: WebRig;
let ids: Record<string, string>;
let requestId: number;

beforeAll(async () => {
  rig = await startWebRig();
  const { t } = rig;
  // bob and carol (cs401 students) get ready clusters; eve (dsg student, no approvals) too; dora's request waits.
  for (const [who, name] of [["console:bob", "bob1"], ["console:carol", "carol1"]] as const) {
    expect((await t.cmd(who, `create ${name}`)).code).toBeUndefined();
    const r = await t.core.app.db.k.selectFrom("requests").innerJoin("clusters", "clusters.id", "requests.cluster_id").select("requests.id").where("clusters.name", "=", name).executeTakeFirstOrThrow();
    expect((await t.cmd("console:tim", `approve ${r.id}`)).code).toBeUndefined();
  }
  expect((await t.cmd("console:eve", "create eve1", "console:#dsg")).code).toBeUndefined();
  await t.idle();
  expect((await t.cmd("console:ada", "grant console:dora student")).code).toBeUndefined();
  expect((await t.cmd("console:dora", "create dora1")).code).toBeUndefined();
  const rows = await t.core.app.db.k.selectFrom("clusters").select(["id", "name", "state"]).execute();
  ids = Object.fromEntries(rows.map((r) => [r.name, r.id]));
  expect(rows.find((r) => r.name === "bob1")?.state).toBe("ready");
  requestId = (await t.core.app.db.k.selectFrom("requests").select("id").where("state", "=", "pending").executeTakeFirstOrThrow()).id;
}, 60_000);
afterAll(async () => { await rig?.close(); });

describe("a student", () => {
  it("sees only their own clusters, on the page and in the API", async () => {
    const cookie = await rig.signIn("console:bob");
    const html = await (await rig.get("/", cookie)).text();
    expect(html).toContain('data-cluster="bob1"');
    expect(html).toContain("10.40.19."); // nodes and IPs
    expect(html).not.toContain("carol1");
    expect(html).not.toContain("eve1");
    const api = await (await rig.get("/api/v1/clusters", cookie)).json();
    expect(api.clusters.map((c: { name: string }) => c.name)).toEqual(["bob1"]);
    expect((await rig.get(`/api/v1/clusters/${ids.carol1}`, cookie)).status).toBe(404);
    expect((await rig.get(`/clusters/${ids.carol1}/delete`, cookie)).status).toBe(404);
    expect((await rig.get("/tenant/cs401", cookie)).status).toBe(403);
    expect((await rig.get("/api/v1/tenants/cs401", cookie)).status).toBe(403);
    expect((await rig.get("/admin", cookie)).status).toBe(403);
    expect((await rig.get("/api/v1/capacity", cookie)).status).toBe(403);
  });

  it("cannot act on another student's cluster: the core refuses, as in chat", async () => {
    const cookie = await rig.signIn("console:bob");
    const csrf = await rig.csrfOf("/", cookie);
    const r = await rig.post(`/clusters/${ids.carol1}/delete`, cookie, { csrf, nonce: "bob-tries-carol-1" });
    expect(r.status).toBe(303);
    const page = await (await rig.get("/", `${cookie}; ${flashOf(r)}`)).text();
    expect(page).toContain("Can&#39;t do that");
    const carol = await rig.t.core.app.db.k.selectFrom("clusters").select("state").where("id", "=", ids.carol1!).executeTakeFirstOrThrow();
    expect(carol.state).toBe("ready");
  });

  it("gets the kubeconfig by DM from the page; the page never shows it", async () => {
    const cookie = await rig.signIn("console:bob");
    const csrf = await rig.csrfOf("/", cookie);
    const before = rig.t.port.dmsTo("console:bob").filter((d) => d.file).length;
    const r = await rig.post(`/clusters/${ids.bob1}/kubeconfig`, cookie, { csrf, nonce: "bob-kubeconfig-1" });
    expect(r.status).toBe(303);
    await rig.t.core.chatFlushed();
    const files = rig.t.port.dmsTo("console:bob").filter((d) => d.file);
    expect(files.length).toBe(before + 1);
    const page = await (await rig.get("/", `${cookie}; ${flashOf(r)}`)).text();
    expect(page).toContain("in your direct messages");
    expect(page).not.toContain("apiVersion");
    expect(page).not.toContain(files.at(-1)!.file!.content.slice(0, 40));
  });
});

describe("a TA", () => {
  it("sees their tenant's clusters, requests, queue and quota, but not its audit log (instructors only)", async () => {
    const cookie = await rig.signIn("console:tim");
    const html = await (await rig.get("/tenant/cs401", cookie)).text();
    for (const s of ["bob1", "carol1", "dora1", `data-request="${requestId}"`, "Quota", "Queue"]) expect(html).toContain(s);
    expect(html).not.toContain("eve1");
    expect(html).not.toContain('id="audit"');
  });

  it("of one tenant sees nothing of another", async () => {
    const cookie = await rig.signIn("console:tim");
    expect((await rig.get("/tenant/dsg", cookie)).status).toBe(403);
    expect(await (await rig.get("/tenant/dsg", cookie)).text()).not.toContain("eve1");
    const api = await rig.get("/api/v1/tenants/dsg", cookie);
    expect(api.status).toBe(403);
    expect(JSON.stringify(await api.json())).not.toContain("eve1");
    expect((await rig.get(`/api/v1/clusters/${ids.eve1}`, cookie)).status).toBe(404);
    expect((await (await rig.get("/api/v1/clusters", cookie)).json()).clusters).toEqual([]);
    expect(await (await rig.get("/", cookie)).text()).not.toContain("eve1");
  });
});

describe("CSRF", () => {
  it("a POST without the CSRF token, with a wrong one, or from another origin is refused and changes nothing", async () => {
    const cookie = await rig.signIn("console:tim");
    const csrf = await rig.csrfOf(`/tenant/cs401`, cookie);
    const path = `/requests/${requestId}/approve`;
    expect((await rig.post(path, cookie, { nonce: "no-csrf-1" })).status).toBe(403);
    expect((await rig.post(path, cookie, { csrf: "x".repeat(43), nonce: "bad-csrf-1" })).status).toBe(403);
    expect((await rig.post(path, cookie, { csrf, nonce: "cross-site-1" }, { origin: "https://evil.example" })).status).toBe(403);
    const api = await fetch(`${rig.base}/api/v1/requests/${requestId}/approve`, { method: "POST", headers: { cookie, origin: rig.base, "content-type": "application/json" }, body: "{}" });
    expect(api.status).toBe(403);
    const r = await rig.t.core.app.db.k.selectFrom("requests").select("state").where("id", "=", requestId).executeTakeFirstOrThrow();
    expect(r.state).toBe("pending");
  });

  it("another session's token does not work", async () => {
    const tim = await rig.signIn("console:tim");
    const other = await rig.signIn("console:ada");
    const csrfOfAda = await rig.csrfOf("/", other);
    expect((await rig.post(`/requests/${requestId}/reject`, tim, { csrf: csrfOfAda, nonce: "swap-1" })).status).toBe(403);
  });
});

describe("actions go through the core", () => {
  it("approving from the list runs the core's approve; the audit log records the web as the source", async () => {
    const cookie = await rig.signIn("console:tim");
    const csrf = await rig.csrfOf("/tenant/cs401", cookie);
    const r = await rig.post(`/requests/${requestId}/approve`, cookie, { csrf, nonce: "tim-approves-1" }, { referer: `${rig.base}/tenant/cs401` });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/tenant/cs401");
    const state = await rig.t.core.app.db.k.selectFrom("requests").select(["state", "decided_by"]).where("id", "=", requestId).executeTakeFirstOrThrow();
    expect(state).toEqual({ state: "approved", decided_by: "console:tim" });
    // The same form again (a double submit) is one action: the stored reply, no second decision.
    const again = await rig.post(`/requests/${requestId}/approve`, cookie, { csrf, nonce: "tim-approves-1" });
    expect(again.status).toBe(303);
    const row = await rig.t.core.app.db.k.selectFrom("audit").select(["action", "source", "actor"]).where("action", "like", "request.%").where("actor", "=", "console:tim").orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(row.source).toBe("web");
    const chatRow = await rig.t.core.app.db.k.selectFrom("audit").select("source").where("action", "like", "request.%").orderBy("id").executeTakeFirstOrThrow();
    expect(chatRow.source).toBe("console");
    // The build the approval queued is the bot's own work: its entries carry no command's source.
    await rig.t.idle();
    const ready = await rig.t.core.app.db.k.selectFrom("audit").select(["source", "actor"]).where("action", "=", "cluster.ready").where("target", "=", "dora1").executeTakeFirstOrThrow();
    expect(ready).toEqual({ source: null, actor: "labforge" });
    const ada = await rig.signIn("console:ada");
    const audit = await (await rig.get("/tenant/cs401?source=web", ada)).text();
    expect(audit).toContain('id="audit"');
    expect(audit).toMatch(/console:tim<\/td><td>request\.approve/);
    expect(audit).not.toMatch(/<td>console<\/td>/);
    expect((await rig.get("/tenant/cs401?actor=%27%3B--", ada)).status).toBe(400);
    expect((await rig.get("/api/v1/tenants/cs401?actor=%27%3B--", ada)).status).toBe(400);
  });

  it("the API with a bearer token deletes a cluster (no CSRF needed) and answers refusals with their code", async () => {
    const { t } = rig;
    await t.cmd("console:carol", "token create");
    await t.core.chatFlushed();
    const token = /Bearer (lfp_[A-Za-z0-9_-]+)/.exec(t.port.dmsTo("console:carol").at(-1)!.card.code!)![1]!;
    const auth = { authorization: `Bearer ${token}` };
    const denied = await fetch(`${rig.base}/api/v1/clusters/${ids.bob1}/delete`, { method: "POST", headers: auth });
    expect([403, 404]).toContain(denied.status);
    const ok = await fetch(`${rig.base}/api/v1/clusters/${ids.carol1}/delete`, { method: "POST", headers: auth });
    expect(ok.status).toBe(200);
    expect((await ok.json()).ok).toBe(true);
    const c = await t.core.app.db.k.selectFrom("clusters").select("state").where("id", "=", ids.carol1!).executeTakeFirstOrThrow();
    expect(["deleting", "deleted"]).toContain(c.state);
    const row = await t.core.app.db.k.selectFrom("audit").select("source").where("action", "=", "cluster.delete").where("target", "=", "carol1").executeTakeFirstOrThrow();
    expect(row.source).toBe("web");
  });
});

describe("the HTTP server", () => {
  it("keeps /healthz and its 404s; /metrics stays closed from here", async () => {
    expect((await rig.get("/healthz")).status).toBe(200);
    expect((await rig.get("/slack/events")).status).toBe(404);
    expect((await rig.get("/nothing-here")).status).toBe(404);
  });
});

/** The flash cookie a form's answer set (`lf_flash=…`). */
function flashOf(r: Response): string {
  return /lf_flash=[^;]+/.exec(r.headers.get("set-cookie") ?? "")?.[0] ?? "";
}
