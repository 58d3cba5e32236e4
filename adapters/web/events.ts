/** Server-sent events: the caller's cluster list, re-rendered and sent whenever it changes (checked once a second). */
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { WebPort } from "../../src/kernel/web-port.ts";
import type { Logger } from "../../src/log.ts";
import { csrfTokenOf, signedIn, type Signed } from "./auth.ts";
import { myClustersFragment } from "./views.ts";

type Env = { Variables: { signed: Signed } };

/** Adds GET /events. */
export function addEvents(app: Hono<Env>, web: WebPort, log: Logger, pollMs = 1000): void {
  app.get("/events", async (c) => {
    const s = await signedIn(c, web);
    if (!s || s.credential.kind !== "session") return c.text("sign in with /cluster web\n", 401);
    const session = s.credential.session;
    const csrf = csrfTokenOf(session);
    return streamSSE(c, async (stream) => {
      let last = "";
      let closed = false;
      stream.onAbort(() => { closed = true; });
      try {
        while (!closed) {
          // Roles are read again each time: a revoked person's stream ends.
          const viewer = await web.viewerForSession(session);
          if (!viewer) { await stream.writeSSE({ event: "signed-out", data: "" }); break; }
          const fragment = String(await myClustersFragment(await web.myClusters(viewer.identity), csrf));
          // The fragment carries fresh form nonces each time; compare without them.
          const shape = fragment.replace(/name="nonce" value="[^"]*"/g, "");
          if (shape !== last) {
            last = shape;
            // Multi-line data goes as several data: lines, which EventSource joins back with newlines (log tails keep theirs).
            await stream.writeSSE({ event: "clusters", data: fragment });
          }
          await stream.sleep(pollMs);
        }
      } catch (err) {
        // Shutting down (the database closes under the loop) or a reader gone: end the stream; the page reconnects.
        log.debug({ err }, "live updates stream ended");
      }
    });
  });
}
