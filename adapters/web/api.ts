/** The JSON API under /api/v1: the pages' reads and actions, for a session (with X-CSRF-Token on POST) or a personal token. */
import type { Context, Hono } from "hono";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { Reply } from "../../src/kernel/cards.ts";
import type { WebPort, WebRead } from "../../src/kernel/web-port.ts";
import { csrfMatches, signedIn, type Signed } from "./auth.ts";
import { CLUSTER_ACTIONS, clusterAction, deliveryIdOf, REQUEST_ACTIONS, requestAction, statusOf, type ClusterAction, type RequestAction } from "./actions.ts";

type Env = { Variables: { signed: Signed } };

/** Adds /api/v1 to `app`. */
export function addApi(app: Hono<Env>, core: InboundPort, web: WebPort): void {
  app.use("/api/v1/*", async (c, next) => {
    const s = await signedIn(c, web);
    if (!s) return c.json({ error: "unauthorized", message: "sign in with /cluster web, or send a token from /cluster token create as Authorization: Bearer <token>" }, 401);
    if (c.req.method !== "GET" && s.credential.kind === "session" && !csrfMatches(s.credential.session, c.req.header("x-csrf-token"))) {
      return c.json({ error: "csrf", message: "a POST with the session cookie needs the X-CSRF-Token header (or use a bearer token)" }, 403);
    }
    c.set("signed", s);
    c.header("cache-control", "no-store");
    await next();
  });

  const who = (c: Context<Env>) => c.get("signed").viewer.identity;

  app.get("/api/v1/me", (c) => c.json(c.get("signed").viewer));
  app.get("/api/v1/clusters", async (c) => c.json({ clusters: await web.myClusters(who(c)) }));
  app.get("/api/v1/clusters/:id", async (c) => {
    const v = await web.cluster(who(c), c.req.param("id"));
    return v ? c.json(v) : c.json({ error: "cluster.not_found", message: "that cluster does not exist, or it is not yours to see" }, 404);
  });
  app.get("/api/v1/tenants/:tenant", async (c) => {
    const q = c.req.query();
    return read(c, await web.tenantView(who(c), c.req.param("tenant"), { actor: q.actor, action: q.action, target: q.target, source: q.source }));
  });
  app.get("/api/v1/capacity", async (c) => read(c, await web.capacity(who(c))));

  app.post("/api/v1/clusters/:id/:action", async (c) => {
    const action = c.req.param("action") as ClusterAction;
    if (!CLUSTER_ACTIONS.includes(action)) return c.json({ error: "not_found", message: `actions are ${CLUSTER_ACTIONS.join(", ")}` }, 404);
    // scale takes {"workers": N} as JSON; the other actions take no body.
    const body = action === "scale" ? await c.req.json<{ workers?: unknown }>().catch(() => ({ workers: undefined })) : {};
    const workers = typeof (body as { workers?: unknown }).workers === "number" ? String((body as { workers: number }).workers) : undefined;
    return answer(c, await clusterAction(core, web, who(c), c.req.param("id"), action, idempotencyKey(c), workers));
  });
  app.post("/api/v1/requests/:id/:action", async (c) => {
    const action = c.req.param("action") as RequestAction;
    if (!REQUEST_ACTIONS.includes(action)) return c.json({ error: "not_found", message: `actions are ${REQUEST_ACTIONS.join(", ")}` }, 404);
    const body = await c.req.json<{ reason?: unknown }>().catch(() => ({ reason: undefined }));
    const reason = typeof body.reason === "string" ? body.reason : undefined;
    return answer(c, await requestAction(core, who(c), c.req.param("id"), action, reason, idempotencyKey(c)));
  });
}

function read<T>(c: Context<Env>, r: WebRead<T>) {
  if (r.ok) return c.json(r.value as object);
  return c.json({ error: r.code, message: r.message }, r.code === "tenant.unknown" ? 404 : r.code === "usage" ? 400 : 403);
}

function answer(c: Context<Env>, reply: Reply) {
  const status = statusOf(reply) as 200 | 400 | 403 | 404 | 409 | 500;
  return c.json({ ok: status === 200, code: reply.code, title: reply.card.title, text: reply.card.text }, status);
}

/** `Idempotency-Key: <uuid>` makes a repeated POST one action, like a form's nonce. */
function idempotencyKey(c: Context<Env>): string | undefined {
  return deliveryIdOf(c.get("signed").viewer.identity, c.req.header("idempotency-key"));
}
