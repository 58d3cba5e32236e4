/** What the fake Discord remembers: channels and messages, DMs, interactions and their answers, and every REST call. */
import { snowflake, type FakeUser, type StoredMessage } from "./payloads.ts";

export interface FakeChannel {
  id: string;
  kind: "text" | "dm" | "thread";
  /** For DMs: the user on the other side. */
  recipient?: string;
  /** For threads: the channel and message it was started from. */
  parent?: string;
  name?: string;
  messages: StoredMessage[];
}

export interface RecordedFile {
  field: string;
  filename: string;
  content: string;
}

export interface RestCall {
  method: string;
  /** Decoded path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: string;
  body: unknown;
  files: RecordedFile[];
  status: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  payload: Record<string, unknown>;
  dispatchedAt: number;
  /** performance.now() when it was sent over the gateway (for latencies). */
  sentAt: number;
  /** Callback types in order of arrival (4 reply, 5 defer, 6 deferred update, 7 update, 8 autocomplete), `at` as performance.now(). */
  callbacks: { type: number; data: Record<string, unknown> | undefined; at: number }[];
  /** The original response once a callback of type 4 or 5 created it; `ephemeral` from its flags. */
  original?: StoredMessage & { ephemeral: boolean; deferred: boolean };
  followups: (StoredMessage & { ephemeral: boolean })[];
}

export interface RateRule {
  method: string;
  path: RegExp;
  remaining: number;
  retryAfterS: number;
}

/** The fake's whole state, shared by REST routes, gateway and test helpers. */
export class FakeState {
  readonly channels = new Map<string, FakeChannel>();
  readonly dmOf = new Map<string, string>();
  readonly closedDms = new Set<string>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly calls: RestCall[] = [];
  readonly rateRules: RateRule[] = [];
  commands: Record<string, unknown>[] | undefined;
  /** How long after dispatch an interaction may first be answered (Discord: 3 s). */
  ackDeadlineMs = 3000;
  private readonly listeners = new Set<() => void>();

  constructor(readonly bot: FakeUser, readonly token: string, readonly applicationId: string) {}

  /** Adds a guild text channel. */
  addTextChannel(id: string): void {
    this.channels.set(id, { id, kind: "text", messages: [] });
  }

  /** The DM channel with a user, created on first use. */
  dmChannelFor(userId: string): FakeChannel {
    const existing = this.dmOf.get(userId);
    if (existing) return this.channels.get(existing)!;
    const ch: FakeChannel = { id: snowflake(), kind: "dm", recipient: userId, messages: [] };
    this.channels.set(ch.id, ch);
    this.dmOf.set(userId, ch.id);
    return ch;
  }

  /** Finds a message anywhere by id. */
  findMessage(id: string): StoredMessage | undefined {
    for (const ch of this.channels.values()) {
      const m = ch.messages.find((x) => x.id === id);
      if (m) return m;
    }
    return undefined;
  }

  /** The interaction an interaction or webhook token belongs to. */
  interactionByToken(token: string): InteractionRecord | undefined {
    for (const i of this.interactions.values()) if (i.token === token) return i;
    return undefined;
  }

  /** Calls `check` after every change until it returns a value; resolves with it. */
  waitFor<T>(check: () => T | undefined | false): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const listener = () => {
        const v = check();
        if (v) { this.listeners.delete(listener); resolve(v); }
      };
      this.listeners.add(listener);
    });
  }

  /** Wakes waiters after a change. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
