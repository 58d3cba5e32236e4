/**
 * The web adapter (issue 15): pages, the JSON API and live updates, on the bot's HTTP server. It sees only the core's
 * inbound port and the web port; sign-in links come from `/cluster web` in chat.
 */
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { getRequestListener } from "@hono/node-server";
import type { HttpServer } from "../../src/http/server.ts";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { WebPort } from "../../src/kernel/web-port.ts";
import type { Logger } from "../../src/log.ts";
import type { Signed } from "./auth.ts";
import { addPages } from "./pages.ts";
import { addApi } from "./api.ts";
import { addEvents } from "./events.ts";
import { LIVE_SCRIPT } from "./views.ts";

// The one inline script is allowed by its hash; nothing else may run.
const LIVE_SCRIPT_HASH = `sha256-${createHash("sha256").update(LIVE_SCRIPT).digest("base64")}`;

export interface WebOptions {
  core: InboundPort;
  web: WebPort;
  http: HttpServer;
  /** LABFORGE_PUBLIC_URL: its origin is the only one forms are accepted from; https makes cookies Secure. */
  publicUrl: string;
  log: Logger;
  /** How often /events looks for changes (tests go faster). */
  pollMs?: number;
}

// Only these paths are the web page's; everything else (/slack/events, /healthz, /metrics) stays with its owner.
const OWNED = /^\/(?:$|login\/|logout$|tenant\/|admin$|clusters\/|requests\/|api\/v1\/|events$)/;

/** Builds the web app (routing, cookies and CSRF by Hono). */
export function webApp(o: Omit<WebOptions, "http">): Hono<{ Variables: { signed: Signed } }> {
  const origin = new URL(o.publicUrl).origin;
  const app = new Hono<{ Variables: { signed: Signed } }>();
  app.use("*", async (c, next) => {
    await next();
    c.header("x-content-type-options", "nosniff");
    c.header("x-frame-options", "DENY");
    c.header("content-security-policy", `default-src 'none'; style-src 'unsafe-inline'; script-src '${LIVE_SCRIPT_HASH}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'`);
  });
  // Forms are accepted only from the public URL's origin (Origin / Sec-Fetch-Site); the session's CSRF token is checked too.
  // With an Authorization header the session cookie is never consulted (auth.ts), so a forged request gains nothing.
  const sameOrigin = csrf({ origin });
  app.use("*", (c, next) => (c.req.header("authorization") ? next() : sameOrigin(c, next)));
  addPages(app, { core: o.core, web: o.web, secure: origin.startsWith("https:") });
  addApi(app, o.core, o.web);
  addEvents(app, o.web, o.log, o.pollMs);
  return app;
}

/** Mounts the web page on the HTTP server. */
export function startWeb(o: WebOptions): void {
  const app = webApp(o);
  const listener = getRequestListener(app.fetch);
  o.http.addRoute(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (!OWNED.test(path)) return false;
    await listener(req, res);
    return true;
  });
  o.log.info({ publicUrl: o.publicUrl }, "web page mounted");
}
