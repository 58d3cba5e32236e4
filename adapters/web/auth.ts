/** Who is asking: the session cookie or a bearer token, resolved to a person with roles read on this request. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { WebPort, WebViewer } from "../../src/kernel/web-port.ts";

export const SESSION_COOKIE = "lf_session";

/** How the request proved who it is: a session needs a CSRF token on every POST; a bearer token cannot be forged by a page. */
export type Credential = { kind: "session"; session: string } | { kind: "token" };

export interface Signed {
  viewer: WebViewer;
  credential: Credential;
}

/** The signed-in person, or undefined (no credential, or it no longer opens anything). */
export async function signedIn(c: Context, web: WebPort): Promise<Signed | undefined> {
  const auth = c.req.header("authorization");
  if (auth !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(auth);
    const viewer = m ? await web.viewerForToken(m[1]!) : undefined;
    return viewer && { viewer, credential: { kind: "token" } };
  }
  const session = getCookie(c, SESSION_COOKIE);
  if (!session) return undefined;
  const viewer = await web.viewerForSession(session);
  return viewer && { viewer, credential: { kind: "session", session } };
}

/** The CSRF token of a session: derived from the cookie value, which a cross-site page can neither read nor send on purpose. */
export function csrfTokenOf(session: string): string {
  return createHash("sha256").update(`labforge-csrf:${session}`).digest("base64url");
}

/** True when `given` is the session's CSRF token (compared in constant time). */
export function csrfMatches(session: string, given: string | undefined): boolean {
  if (!given) return false;
  const want = Buffer.from(csrfTokenOf(session));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}
