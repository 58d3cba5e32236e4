/** Interactions still answerable (token alive), by channel and user: the only way Discord shows a message to one user. */
import type { RepliableInteraction } from "discord.js";

/** An interaction token lives 15 minutes; stop using it a minute early so a slow call does not straddle the end. */
export const TOKEN_LIFE_MS = 14 * 60_000;
const MAX_OPEN = 1000;

/** The latest answerable interaction per user and channel. */
export class OpenInteractions {
  private readonly open = new Map<string, { interaction: RepliableInteraction; receivedAt: number }>();

  constructor(readonly tokenLifeMs = TOKEN_LIFE_MS) {}

  /** Remembers the latest interaction of a user in a channel. */
  track(channel: string, identity: string, interaction: RepliableInteraction, receivedAt: number): void {
    const key = `${channel}|${identity}`;
    this.open.delete(key);
    this.open.set(key, { interaction, receivedAt });
    while (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
  }

  /** True while an interaction received at `receivedAt` may still be answered through its token. */
  alive(receivedAt: number): boolean {
    return Date.now() - receivedAt < this.tokenLifeMs;
  }

  /** The user's acknowledged, still-alive interaction in that channel, if any. */
  find(channel: string, identity: string): RepliableInteraction | undefined {
    const o = this.open.get(`${channel}|${identity}`);
    if (!o || !this.alive(o.receivedAt) || !(o.interaction.deferred || o.interaction.replied)) return undefined;
    return o.interaction;
  }
}
