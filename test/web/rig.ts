/** An in-process web rig: a real core (SQLite, simulated driver) with the web adapter on a real HTTP server. */
import { createServer } from "node:net";
import { HttpServer } from "../../src/http/server.ts";
import { startWeb } from "../../adapters/web/start.ts";
import { makeCore, type TestCore, type TestCoreOptions } from "../helpers/harness.ts";

export interface WebRig {
  t: TestCore;
  base: string;
  /** Asks for a sign-in link in chat as `identity` and returns it (from the DM). */
  link(identity: string): Promise<string>;
  /** Signs in from a fresh link; returns the session cookie (`lf_session=…`). */
  signIn(identity: string): Promise<string>;
  get(path: string, cookie?: string, headers?: Record<string, string>): Promise<Response>;
  /** POSTs a form from the page's own origin. */
  post(path: string, cookie: string | undefined, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** The CSRF token a page carries in its forms. */
  csrfOf(path: string, cookie: string): Promise<string>;
  close(): Promise<void>;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const a = s.address(); s.close(() => resolve(typeof a === "object" && a ? a.port : 0)); });
  });
}

/** Starts the rig; `publicUrl` defaults to the server's own address. */
export async function startWebRig(opts: TestCoreOptions = {}): Promise<WebRig> {
  // The public URL must be known before the core starts; bind first on a free port, then build the core with it.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await makeCore({ publicUrl: base, ...opts });
  const http = new HttpServer(t.core);
  await http.listen(port, "127.0.0.1");
  startWeb({ core: t.core, web: t.core.web, http, publicUrl: opts.publicUrl ?? base, log: t.core.app.log, pollMs: 100 });

  const link = async (identity: string) => {
    const before = t.port.dmsTo(identity).length;
    const r = await t.cmd(identity, "web");
    if (r.code) throw new Error(`/cluster web refused: ${r.code} ${r.card.text}`);
    await t.core.chatFlushed();
    const dm = t.port.dmsTo(identity).slice(before).find((d) => d.card.title.startsWith("Sign in"));
    if (!dm?.card.code) throw new Error("no sign-in DM");
    return dm.card.code;
  };
  const get = (path: string, cookie?: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { redirect: "manual", headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const post = (path: string, cookie: string | undefined, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST", redirect: "manual", body: new URLSearchParams(form),
      headers: { origin: base, "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
    });
  const signIn = async (identity: string) => {
    const r = await get(new URL(await link(identity)).pathname);
    const set = r.headers.get("set-cookie") ?? "";
    const m = /lf_session=([^;]+)/.exec(set);
    if (r.status !== 303 || !m) throw new Error(`sign-in failed: ${r.status}`);
    return `lf_session=${m[1]}`;
  };
  const csrfOf = async (path: string, cookie: string) => {
    const html = await (await get(path, cookie)).text();
    const m = /name="csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${path}`);
    return m[1]!;
  };
  return { t, base, link, signIn, get, post, csrfOf, close: async () => { await http.close(); await t.close(); } };
}
