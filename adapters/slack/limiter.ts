/**
 * Every Web API call goes through here: Tier 3 methods in a sliding 60-second window, token buckets for the others, chat.postMessage
 * at one per second per channel, chat.update coalesced per message to the latest content, and pending
 * thread replies merged while a channel is busy. The WebClient itself honours 429 Retry-After.
 */
import Bottleneck from "bottleneck";
import type { App } from "@slack/bolt";
import type { Metrics } from "../../src/metrics.ts";
import { SlidingWindow } from "./window.ts";

export interface Tier { perMinute: number; burst: number }

/**
 * Tier 3 methods labforge calls in bursts: at most 50 in any 60-second window, with no burst above that (a token
 * bucket of 50 that refills lets nearly 100 through in the first minute of a burst).
 */
export const WINDOWED: Record<string, number> = { "chat.update": 50, "conversations.open": 50 };

/** Slack's tiers for the other methods labforge calls (Tier 4: 100+/min). */
export const TIERS: Record<string, Tier> = {
  "chat.postEphemeral": { perMinute: 100, burst: 100 },
  "views.open": { perMinute: 100, burst: 100 },
  "views.publish": { perMinute: 100, burst: 100 },
  "files.getUploadURLExternal": { perMinute: 100, burst: 100 },
  "files.completeUploadExternal": { perMinute: 100, burst: 100 },
};

export interface LimiterOptions {
  /** Multiplies every rate; 1 in production. Tests raise it together with the fake's. */
  rateScale?: number;
  metrics?: Metrics;
}

type Args = Record<string, unknown>;
type WebClient = App["client"];

export class SlackLimiter {
  private readonly methods = new Map<string, Bottleneck>();
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly channels: Bottleneck.Group;
  private readonly updates = new Map<string, { args: Args; done: Promise<unknown> }>();
  private readonly scale: number;

  constructor(private readonly client: WebClient, private readonly opts: LimiterOptions = {}) {
    this.scale = opts.rateScale ?? 1;
    // 1.05 s rather than 1 s: network jitter must never make two posts look closer than a second to Slack.
    this.channels = new Bottleneck.Group({ maxConcurrent: 1, minTime: Math.ceil(1050 / this.scale) });
  }

  /** Calls a method within its tier. */
  call<T = any>(method: string, args: Args): Promise<T> {
    return this.limiterFor(method).schedule(() => this.send<T>(method, args));
  }

  /** How many calls of a windowed method started in its current 60-second window. */
  inWindow(method: string): number {
    return this.windows.get(method)?.inWindow() ?? 0;
  }

  /** Calls a method at once, ahead of anything queued (for calls carrying a trigger_id, which lives 3 seconds). */
  now<T = any>(method: string, args: Args): Promise<T> {
    return this.send<T>(method, args);
  }

  /** Posts to a channel at most once per second; `content` is read when the post goes out, so it can still grow. */
  post<T = any>(channel: string, content: () => Args): Promise<T> {
    return this.channels.key(channel).schedule(() => this.send<T>("chat.postMessage", { channel, ...content() }));
  }

  /** Updates a message; while an update of it waits, later ones replace its content instead of queueing. */
  update(channel: string, ts: string, content: Args): Promise<unknown> {
    const key = `${channel}:${ts}`;
    const waiting = this.updates.get(key);
    if (waiting) { waiting.args = { channel, ts, ...content }; return waiting.done; }
    const entry = { args: { channel, ts, ...content } as Args, done: Promise.resolve() as Promise<unknown> };
    entry.done = this.limiterFor("chat.update").schedule(() => {
      this.updates.delete(key);
      return this.send("chat.update", entry.args);
    });
    this.updates.set(key, entry);
    return entry.done;
  }

  /** How many calls wait in the limiter now (for tests and the benchmark). */
  async waiting(): Promise<number> {
    let n = 0;
    for (const l of this.methods.values()) n += l.counts().QUEUED + l.counts().RUNNING + l.counts().EXECUTING;
    for (const w of this.windows.values()) n += w.waiting;
    for (const l of this.channels.limiters()) n += l.limiter.counts().QUEUED + l.limiter.counts().RUNNING + l.limiter.counts().EXECUTING;
    return n;
  }

  private limiterFor(method: string): { schedule<T>(fn: () => Promise<T>): Promise<T> } {
    const limit = WINDOWED[method];
    if (limit !== undefined) {
      let w = this.windows.get(method);
      if (!w) {
        // 61 s rather than 60: network jitter must never make 51 calls look like one minute's to Slack.
        w = new SlidingWindow(limit, Math.ceil(61_000 / this.scale), () => this.opts.metrics?.rateLimitWaits.inc({ platform: "slack", method }));
        this.windows.set(method, w);
      }
      return w;
    }
    let l = this.methods.get(method);
    if (!l) {
      const tier = TIERS[method];
      l = tier
        ? new Bottleneck({
          reservoir: tier.burst, reservoirIncreaseAmount: 1, reservoirIncreaseMaximum: tier.burst,
          reservoirIncreaseInterval: Math.ceil(60_000 / tier.perMinute / this.scale),
        })
        : new Bottleneck({ maxConcurrent: 10 });
      l.on("depleted", () => this.opts.metrics?.rateLimitWaits.inc({ platform: "slack", method }));
      this.methods.set(method, l);
    }
    return l;
  }

  private send<T>(method: string, args: Args): Promise<T> {
    this.opts.metrics?.chatCalls.inc({ platform: "slack", method });
    return this.client.apiCall(method, args) as Promise<T>;
  }
}
