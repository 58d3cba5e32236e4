/** The fake's model of a Slack rate limit: a token bucket with a burst capacity and a steady refill rate. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly capacity: number, private readonly perSecond: number) {
    this.tokens = capacity;
  }

  /** Takes a token if one is available; otherwise returns the seconds until one will be. */
  take(): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) { this.tokens -= 1; return { ok: true }; }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond)) };
  }
}

export interface Limit {
  perMinute: number;
  burst: number;
}

/** Slack's published tiers, per method per workspace (Tier 1: 1+/min, 2: 20+/min, 3: 50+/min, 4: 100+/min). */
export const METHOD_LIMITS: Record<string, Limit> = {
  "apps.connections.open": { perMinute: 1, burst: 3 },
  "auth.test": { perMinute: 100, burst: 100 },
  "chat.update": { perMinute: 50, burst: 50 },
  "conversations.open": { perMinute: 50, burst: 50 },
  "chat.postEphemeral": { perMinute: 100, burst: 100 },
  "views.open": { perMinute: 100, burst: 100 },
  "views.publish": { perMinute: 100, burst: 100 },
  "files.getUploadURLExternal": { perMinute: 100, burst: 100 },
  "files.completeUploadExternal": { perMinute: 100, burst: 100 },
};

/** chat.postMessage: about one per second per channel, with short bursts. */
export const CHANNEL_POST_LIMIT = { perSecond: 1, burst: 3 };
