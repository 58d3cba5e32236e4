/** Counts Discord REST calls and rate-limit waits, labelled by route (ids and tokens already replaced by discord.js). */
import { RESTEvents, type REST } from "discord.js";
import type { Logger } from "../../src/log.ts";
import type { Metrics } from "../../src/metrics.ts";
import { PLATFORM } from "./refs.ts";

/** discord.js writes routes as `/channels/:id/messages` and `/webhooks/:id/:token`; anything else long is cut, never labelled. */
function label(method: string, route: string): string {
  const safe = route.replace(/[0-9]{15,21}/g, ":id").replace(/[A-Za-z0-9_-]{40,}/g, ":secret").slice(0, 80);
  return `${method.toUpperCase()} ${safe}`;
}

/** Subscribes the metrics to a REST client: every response (including 429s) and every wait discord.js makes for a limit. */
export function countRestCalls(rest: REST, metrics: Metrics, log: Logger): void {
  rest.on(RESTEvents.Response, (request, response) => {
    const method = label(request.method, request.route);
    metrics.chatCalls.inc({ platform: PLATFORM, method });
    // An unexpected 429: discord.js waits Retry-After and retries by itself, so the update is delayed, never lost.
    if (response.status === 429) {
      metrics.rateLimitWaits.inc({ platform: PLATFORM, method });
      log.info({ route: method }, "Discord answered 429; waiting as told");
    }
  });
  // A wait discord.js makes on its own because a bucket is empty (known from earlier headers).
  rest.on(RESTEvents.RateLimited, (info) => {
    metrics.rateLimitWaits.inc({ platform: PLATFORM, method: label(info.method, info.route) });
    log.debug({ route: info.route, waitMs: info.timeToReset, global: info.global }, "waiting for a Discord rate limit");
  });
}
