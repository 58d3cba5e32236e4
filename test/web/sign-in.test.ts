/** Web sign-in (issue 15): one-time links, sessions that follow roles, API tokens, and the public URL setting. */
import { afterEach, describe, expect, it } from "vitest";
import { startWebRig, type WebRig } from "./rig.ts";
import { makeCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";

let rig: WebRig | undefined;
afterEach(async () => { await rig?.close(); rig = undefined; });

describe("sign-in links", () => {
  it("a link signs in once: the cookie is HttpOnly, SameSite=Lax, 12 h; a reused link is refused with how to get one", async () => {
    rig = await startWebRig();
    const link = await rig.link("console:bob");
    expect(link).toMatch(new RegExp(`^${rig.base}/login/[A-Za-z0-9_-]{43}$`));
    const first = await rig.get(new URL(link).pathname);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/");
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(/lf_session=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/); // http here; https public URLs get Secure (below)
    const again = await rig.get(new URL(link).pathname);
    expect(again.status).toBe(401);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain("/cluster web");
  });

  it("two tabs opening one link at once get one session", async () => {
    rig = await startWebRig();
    const path = new URL(await rig.link("console:bob")).pathname;
    const [a, b] = await Promise.all([rig.get(path), rig.get(path)]);
    expect([a.status, b.status].sort()).toEqual([303, 401]);
  });

  it("an expired link (over 10 minutes) is refused", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    rig = await startWebRig({ clock });
    const link = await rig.link("console:bob");
    clock.advance(10 * 60_000 + 1);
    expect((await rig.get(new URL(link).pathname)).status).toBe(401);
  });

  it("a session ends after 12 hours", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
    rig = await startWebRig({ clock });
    const cookie = await rig.signIn("console:bob");
    clock.advance(12 * 3_600_000 - 1000);
    expect((await rig.get("/", cookie)).status).toBe(200);
    clock.advance(1001);
    expect((await rig.get("/", cookie)).status).toBe(401);
  });

  it("only a hash of links, sessions and tokens is stored", async () => {
    rig = await startWebRig();
    const link = await rig.link("console:bob");
    const cookie = await rig.signIn("console:bob");
    await rig.t.cmd("console:bob", "token create");
    await rig.t.core.chatFlushed();
    const token = /Bearer (lfp_[A-Za-z0-9_-]+)/.exec(rig.t.port.dmsTo("console:bob").at(-1)!.card.code!)![1]!;
    const { db } = rig.t.core.app;
    const stored = JSON.stringify([
      await db.k.selectFrom("web_links").selectAll().execute(),
      await db.k.selectFrom("web_sessions").selectAll().execute(),
      await db.k.selectFrom("api_tokens").selectAll().execute(),
    ]);
    const logs = rig.t.logs.join("");
    for (const secret of [link.split("/").at(-1)!, cookie.split("=")[1]!, token]) {
      expect(stored).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it("without a session every page answers 401 saying to type /cluster web", async () => {
    rig = await startWebRig();
    for (const path of ["/", "/tenant/cs401", "/admin"]) {
      const r = await rig.get(path);
      expect(r.status, path).toBe(401);
      expect(await r.text(), path).toContain("/cluster web");
    }
    expect((await rig.get("/api/v1/clusters")).status).toBe(401);
    expect((await rig.get("/", "lf_session=not-a-real-session")).status).toBe(401);
  });

  it("a revoked person's session and token stop working at once", async () => {
    rig = await startWebRig();
    expect((await rig.t.cmd("console:ada", "grant console:zed student")).code).toBeUndefined();
    const cookie = await rig.signIn("console:zed");
    await rig.t.cmd("console:zed", "token create");
    await rig.t.core.chatFlushed();
    const token = /Bearer (lfp_[A-Za-z0-9_-]+)/.exec(rig.t.port.dmsTo("console:zed").at(-1)!.card.code!)![1]!;
    expect((await rig.get("/", cookie)).status).toBe(200);
    expect((await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rig.t.cmd("console:ada", "revoke console:zed")).code).toBeUndefined();
    expect((await rig.get("/", cookie)).status).toBe(401);
    expect((await rig.get("/api/v1/clusters", cookie)).status).toBe(401);
    expect((await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it("sign out ends the session", async () => {
    rig = await startWebRig();
    const cookie = await rig.signIn("console:bob");
    const csrf = await rig.csrfOf("/", cookie);
    expect((await rig.post("/logout", cookie, { csrf })).status).toBe(200);
    expect((await rig.get("/", cookie)).status).toBe(401);
  });
});

describe("API tokens", () => {
  it("token create DMs a token once that opens /api/v1; a new one replaces it; token revoke ends it", async () => {
    rig = await startWebRig();
    const reply = await rig.t.cmd("console:bob", "token create");
    expect(reply.code).toBeUndefined();
    expect(JSON.stringify(reply)).not.toMatch(/lfp_/); // the reply is no place for it: DM only
    await rig.t.core.chatFlushed();
    const first = /Bearer (lfp_[A-Za-z0-9_-]+)/.exec(rig.t.port.dmsTo("console:bob").at(-1)!.card.code!)![1]!;
    const me = await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${first}` });
    expect(me.status).toBe(200);
    expect((await me.json()).identity).toBe("console:bob");
    await rig.t.cmd("console:bob", "token create");
    await rig.t.core.chatFlushed();
    const second = /Bearer (lfp_[A-Za-z0-9_-]+)/.exec(rig.t.port.dmsTo("console:bob").at(-1)!.card.code!)![1]!;
    expect((await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${first}` })).status).toBe(401);
    expect((await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${second}` })).status).toBe(200);
    expect((await rig.t.cmd("console:bob", "token revoke")).card.title).toBe("Revoked");
    expect((await rig.get("/api/v1/me", undefined, { authorization: `Bearer ${second}` })).status).toBe(401);
    expect((await rig.get("/api/v1/me", undefined, { authorization: "Bearer garbage" })).status).toBe(401);
  });
});

describe("LABFORGE_PUBLIC_URL", () => {
  it("without it, /cluster web says which variable to set and sends nothing", async () => {
    const t = await makeCore();
    try {
      const r = await t.cmd("console:bob", "web");
      expect(r.code).toBe("web.unconfigured");
      expect(r.card.text).toContain("LABFORGE_PUBLIC_URL");
      await t.core.chatFlushed();
      expect(t.port.dmsTo("console:bob")).toHaveLength(0);
    } finally { await t.close(); }
  });

  it("an https public URL makes the session cookie Secure", async () => {
    rig = await startWebRig({ publicUrl: "https://labforge.dept.example" });
    const link = await rig.link("console:bob");
    expect(link).toMatch(/^https:\/\/labforge\.dept\.example\/login\//);
    const r = await rig.get(new URL(link).pathname);
    expect(r.headers.get("set-cookie")).toMatch(/; Secure/);
  });
});

describe("live updates", () => {
  it("/events sends the caller's cluster list and ends when their role is revoked", async () => {
    rig = await startWebRig();
    expect((await rig.t.cmd("console:ada", "grant console:zed student")).code).toBeUndefined();
    expect((await rig.t.cmd("console:zed", "create zed1")).code).toBeUndefined();
    const cookie = await rig.signIn("console:zed");
    expect((await rig.get("/events")).status).toBe(401);
    const r = await rig.get("/events", cookie);
    expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('data-cluster="zed1"');
    expect(text).toMatch(/^event: clusters/m);
    await rig.t.cmd("console:ada", "revoke console:zed");
    await readUntil("event: signed-out");
    await reader.cancel();
  });
});
