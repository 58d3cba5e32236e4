/** Who may read /metrics: connections to METRICS_HOST, or a request carrying METRICS_TOKEN as a bearer token. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIPv4 } from "node:net";

export interface MetricsAccess {
  /** The address /metrics is served on without a token (default 127.0.0.1). */
  host: string;
  /** When set, a request with `Authorization: Bearer <token>` may read /metrics on any listener. */
  token?: string;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so one address has one spelling. */
export function plainAddress(address: string | undefined): string {
  return (address ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/** True when a server bound to `bind` also accepts connections addressed to `host`. */
export function bindCovers(bind: string, host: string): boolean {
  if (bind === "::") return true; // dual-stack on Linux: every address
  if (bind === "0.0.0.0") return isIPv4(host);
  return plainAddress(bind) === plainAddress(host);
}

/** True when the request carries the configured bearer token (compared in constant time). */
export function hasMetricsToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return false;
  // Hashing first gives equal lengths, which timingSafeEqual needs, without leaking the token's length.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

/** True when the connection was made to the metrics host (the local side of the socket; a wildcard host takes any). */
export function viaMetricsHost(req: IncomingMessage, access: MetricsAccess): boolean {
  return bindCovers(access.host, plainAddress(req.socket.localAddress));
}
