/**
 * Errors from Discord's REST API, stripped of what must never reach a log: discord.js errors carry the request body
 * (a kubeconfig attachment) and the URL (an interaction token). Only the method, route, status and code survive.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";

/** Discord's error code for "Cannot send messages to this user" (DMs closed, or no shared server). */
export const CANNOT_DM = 50007;
/** A thread was already started from this message (a restart forgot the mapping). */
export const THREAD_EXISTS = 160004;
/** The interaction was already answered (a duplicate delivery). */
export const ALREADY_ACKNOWLEDGED = 40060;

/** A Discord REST failure that is safe to log. */
export class DiscordCallError extends Error {
  constructor(readonly what: string, readonly status: number | undefined, readonly code: number | string | undefined, detail: string) {
    super(`Discord ${what} failed${status ? ` (HTTP ${status}${code !== undefined ? `, code ${code}` : ""})` : ""}: ${detail}`);
    this.name = "DiscordCallError";
  }
}

/** The Discord error code of a failure, if it is one. */
export function discordCode(err: unknown): number | string | undefined {
  if (err instanceof DiscordCallError) return err.code;
  if (err instanceof DiscordAPIError) return err.code;
  return undefined;
}

/** Converts any error from a REST call into a DiscordCallError without bodies, URLs or tokens. */
export function sanitize(err: unknown, what: string): DiscordCallError {
  if (err instanceof DiscordCallError) return err;
  if (err instanceof DiscordAPIError) return new DiscordCallError(what, err.status, err.code, clean(err.message));
  if (err instanceof HTTPError) return new DiscordCallError(what, err.status, undefined, clean(err.name));
  if (err instanceof RateLimitError) return new DiscordCallError(what, 429, undefined, `rate limited on ${err.route}`);
  const name = err instanceof Error ? err.name : "unknown";
  return new DiscordCallError(what, undefined, undefined, `${name}: ${clean(err instanceof Error ? err.message : String(err))}`);
}

/** Runs a REST call, rethrowing any failure sanitized. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw sanitize(err, what);
  }
}

// Messages from the network layer can quote URLs; interaction and webhook URLs embed a token.
function clean(text: string): string {
  return text.replace(/\/(interactions|webhooks)\/[^\s]+/g, "/$1/[redacted]").slice(0, 200);
}
