/** The server-rendered pages and their forms: every POST checks the session's CSRF token, then goes to the core. */
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { Reply } from "../../src/kernel/cards.ts";
import type { WebPort } from "../../src/kernel/web-port.ts";
import { csrfMatches, csrfTokenOf, SESSION_COOKIE, signedIn, type Signed } from "./auth.ts";
import { page, type Flash, type Html } from "./html.ts";
import { capacityBody, deleteBody, homeBody, LIVE_SCRIPT, rebuildBody, signInBody, tenantBody } from "./views.ts";
import { CLUSTER_ACTIONS, clusterAction, deliveryIdOf, REQUEST_ACTIONS, requestAction, type ClusterAction, type RequestAction } from "./actions.ts";

const FLASH_COOKIE = "lf_flash";
const SESSION_MAX_AGE_S = 12 * 3600;

export interface PageDeps {
  core: InboundPort;
  web: WebPort;
  /** Secure cookies when the public URL is https. */
  secure: boolean;
}

type Env = { Variables: { signed: Signed } };

/** Adds the pages, sign-in and sign-out to `app`. */
export function addPages(app: Hono<Env>, deps: PageDeps): void {
  const { core, web, secure } = deps;

  app.get("/login/:token", async (c) => {
    const r = await web.signIn(c.req.param("token"));
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    if (!r) return c.html(page("Sign in", undefined, signInBody("This sign-in link was already used or has expired (links work once, for 10 minutes).")), 401);
    setCookie(c, SESSION_COOKIE, r.session, { httpOnly: true, sameSite: "Lax", secure, path: "/", maxAge: SESSION_MAX_AGE_S });
    return c.redirect("/", 303);
  });

  // Every page below needs a session (or a token): without one, a 401 that says how to get one.
  const guard = async (c: Context<Env>, next: () => Promise<void>) => {
    const s = await signedIn(c, web);
    if (!s) return c.html(page("Sign in", undefined, signInBody("You are not signed in, or your session has ended.")), 401);
    c.set("signed", s);
    if (c.req.method === "POST") {
      // A session's POST needs its CSRF token; a bearer token is never sent by a browser on its own.
      const form = await c.req.parseBody();
      if (s.credential.kind === "session" && !csrfMatches(s.credential.session, typeof form.csrf === "string" ? form.csrf : undefined)) {
        return c.html(page("Refused", s.viewer, signInBody("This form is out of date or did not come from this site (its CSRF token is missing or wrong). Reload the page and try again.")), 403);
      }
    }
    await next();
  };
  for (const path of ["/", "/tenant/*", "/admin", "/clusters/*", "/requests/*", "/logout"]) app.use(path, guard);

  const csrf = (c: Context<Env>) => { const cr = c.get("signed").credential; return cr.kind === "session" ? csrfTokenOf(cr.session) : ""; };
  const render = (c: Context<Env>, title: string, body: Html, status: 200 | 400 | 403 | 404 = 200, script = "") => {
    const flash = takeFlash(c);
    c.header("cache-control", "no-store");
    return c.html(page(title, c.get("signed").viewer, body, flash, script), status);
  };

  app.get("/", async (c) => {
    const { viewer } = c.get("signed");
    return render(c, "My clusters", homeBody(viewer, await web.myClusters(viewer.identity), csrf(c)), 200, LIVE_SCRIPT);
  });

  app.get("/tenant/:tenant", async (c) => {
    const { viewer } = c.get("signed");
    const q = c.req.query();
    const filter = { actor: q.actor || undefined, action: q.action || undefined, target: q.target || undefined, source: q.source || undefined };
    const r = await web.tenantView(viewer.identity, c.req.param("tenant"), filter);
    if (!r.ok) return render(c, "Refused", signInBody(capitalize(r.message)), r.code === "usage" ? 400 : r.code === "tenant.unknown" ? 404 : 403);
    return render(c, r.value.name, tenantBody(r.value, csrf(c), Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Record<string, string>));
  });

  app.get("/admin", async (c) => {
    const r = await web.capacity(c.get("signed").viewer.identity);
    if (!r.ok) return render(c, "Refused", signInBody(capitalize(r.message)), 403);
    return render(c, "Capacity", capacityBody(r.value));
  });

  app.get("/clusters/:id/delete", async (c) => {
    const v = await web.cluster(c.get("signed").viewer.identity, c.req.param("id"));
    if (!v) return render(c, "Not found", signInBody("That cluster does not exist, or it is not yours to see."), 404);
    return render(c, `Delete ${v.name}`, deleteBody(v, csrf(c)));
  });

  app.get("/clusters/:id/rebuild", async (c) => {
    const v = await web.cluster(c.get("signed").viewer.identity, c.req.param("id"));
    if (!v) return render(c, "Not found", signInBody("That cluster does not exist, or it is not yours to see."), 404);
    return render(c, `Rebuild ${v.name}`, rebuildBody(v, csrf(c)));
  });

  app.post("/clusters/:id/:action", async (c) => {
    const action = c.req.param("action") as ClusterAction;
    if (!CLUSTER_ACTIONS.includes(action)) return c.notFound();
    const form = await c.req.parseBody();
    const reply = await clusterAction(core, web, c.get("signed").viewer.identity, c.req.param("id"), action, deliveryIdOf(c.get("signed").viewer.identity, str(form.nonce)), str(form.workers));
    return back(c, reply);
  });

  app.post("/requests/:id/:action", async (c) => {
    const action = c.req.param("action") as RequestAction;
    if (!REQUEST_ACTIONS.includes(action)) return c.notFound();
    const form = await c.req.parseBody();
    const reply = await requestAction(core, c.get("signed").viewer.identity, c.req.param("id"), action, str(form.reason), deliveryIdOf(c.get("signed").viewer.identity, str(form.nonce)));
    return back(c, reply);
  });

  app.post("/logout", async (c) => {
    const cr = c.get("signed").credential;
    if (cr.kind === "session") await web.signOut(cr.session);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure });
    return c.html(page("Signed out", undefined, signInBody("You are signed out.")));
  });

  /** Back to the page the form was on (same origin only), with the core's reply shown once. */
  function back(c: Context<Env>, reply: Reply) {
    const flash: Flash = { title: reply.card.title, text: reply.card.text, tone: reply.card.tone };
    setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString("base64url"), { httpOnly: true, sameSite: "Lax", secure, path: "/", maxAge: 60 });
    const ref = c.req.header("referer");
    let to = "/";
    // Back to a list page; a cluster's own page (the delete confirmation) has done its job.
    try { if (ref) { const u = new URL(ref); if (u.host === c.req.header("host") && !u.pathname.startsWith("/clusters/")) to = u.pathname + u.search; } } catch { /* not a URL */ }
    return c.redirect(to, 303);
  }

  function takeFlash(c: Context<Env>): Flash | undefined {
    const raw = getCookie(c, FLASH_COOKIE);
    if (!raw) return undefined;
    deleteCookie(c, FLASH_COOKIE, { path: "/", secure });
    try {
      const f = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Flash;
      return typeof f.title === "string" ? { title: f.title.slice(0, 200), text: typeof f.text === "string" ? f.text.slice(0, 2000) : undefined, tone: typeof f.tone === "string" && /^[a-z]{1,10}$/.test(f.tone) ? f.tone : undefined } : undefined;
    } catch { return undefined; }
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1) + (s.endsWith(".") ? "" : ".");
}
