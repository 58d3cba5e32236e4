/** The Discord ChatPort: channel posts and edits, thread replies under a root message, DMs with attachments. */
import { Routes, type REST } from "discord.js";
import type { Attachment, Card, Reply } from "../../src/kernel/cards.ts";
import { DmUnavailableError, type ChatPort, type DmChannelStore } from "../../src/kernel/ports.ts";
import type { Logger } from "../../src/log.ts";
import { renderCard } from "./render.ts";
import { call, discordCode, CANNOT_DM } from "./rest-errors.ts";
import { channelIdOf, messageRefOf, parseMessageRef, PLATFORM, userIdOf } from "./refs.ts";
import { ThreadStarter } from "./threads.ts";
import type { OpenInteractions } from "./open-interactions.ts";

// Nobody is ever pinged by what the bot renders (user text such as a reject reason may contain @everyone).
const NO_PINGS = { parse: [] as never[] };
const FILENAME = /^[A-Za-z0-9._-]{1,100}$/;

/** The `discord` ChatPort the core routes `discord:` channels, refs and identities to. */
export class DiscordPort implements ChatPort {
  readonly platform = PLATFORM;
  private readonly dmChannels = new Map<string, string>();
  private readonly threads: ThreadStarter;

  constructor(private readonly rest: REST, private readonly log: Logger, private readonly open: OpenInteractions, private readonly store?: DmChannelStore) {
    this.threads = new ThreadStarter(rest);
  }

  /**
   * After a restart: answers through the stored interaction token (`discord:respond:<app>:<token>`, valid 15
   * minutes): a private reply edits the deferred answer, a public one is a follow-up. False when the token is dead.
   */
  async answerLate(respondRef: string, reply: Reply): Promise<boolean> {
    const m = /^discord:respond:([0-9]{1,20}):([A-Za-z0-9._-]{1,500})$/.exec(respondRef);
    if (!m) return false;
    const [, app, token] = m as unknown as [string, string, string];
    const body = { ...renderCard(reply.card), allowed_mentions: NO_PINGS };
    try {
      if (reply.visibility === "private") await this.rest.patch(Routes.webhookMessage(app, token, "@original"), { body, auth: false });
      else await this.rest.post(Routes.webhook(app, token), { body, auth: false });
      return true;
    } catch (err) {
      this.log.info({ code: discordCode(err) }, "the interaction of a delayed answer is gone; sending it by DM");
      return false;
    }
  }

  async post(channel: string, card: Card): Promise<string> {
    const channelId = channelIdOf(channel);
    const msg = await call("post", () => this.rest.post(Routes.channelMessages(channelId), { body: { ...renderCard(card), allowed_mentions: NO_PINGS } })) as { id: string };
    this.threads.remember(messageRefOf(channelId, msg.id), card.title);
    return messageRefOf(channelId, msg.id);
  }

  async update(ref: string, card: Card): Promise<void> {
    const { channelId, messageId } = parseMessageRef(ref);
    await call("update", () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body: { ...renderCard(card), allowed_mentions: NO_PINGS } }));
    this.threads.remember(ref, card.title);
  }

  async replyInThread(ref: string, card: Card): Promise<string> {
    const root = parseMessageRef(ref);
    const threadId = await this.threads.threadFor(ref);
    const body = { ...renderCard(card), allowed_mentions: NO_PINGS };
    if (threadId) {
      const msg = await call("thread reply", () => this.rest.post(Routes.channelMessages(threadId), { body })) as { id: string };
      return messageRefOf(threadId, msg.id);
    }
    // No thread possible here (a DM, or the bot lacks Create Public Threads): answer the root message inline instead.
    const msg = await call("reply", () => this.rest.post(Routes.channelMessages(root.channelId), {
      body: { ...body, message_reference: { message_id: root.messageId, fail_if_not_exists: false } },
    })) as { id: string };
    return messageRefOf(root.channelId, msg.id);
  }

  /** Discord has ephemeral messages only inside an interaction: use the user's open one, else a DM. */
  async ephemeral(channel: string, identity: string, card: Card): Promise<void> {
    const interaction = this.open.find(channel, identity);
    if (interaction) {
      try {
        await interaction.followUp({ ...renderCard(card), flags: 64, allowedMentions: NO_PINGS });
        return;
      } catch (err) {
        this.log.debug({ err: String(discordCode(err) ?? "error") }, "ephemeral follow-up failed; sending a DM instead");
      }
    }
    await this.dm(identity, card);
  }

  async dm(identity: string, card: Card, file?: Attachment): Promise<string> {
    const userId = userIdOf(identity);
    if (file && !FILENAME.test(file.filename)) throw new Error("attachment file name is not safe to send");
    const channelId = await this.dmChannel(userId);
    const body = { ...renderCard(card), allowed_mentions: NO_PINGS, ...(file ? { attachments: [{ id: 0, filename: file.filename }] } : {}) };
    const files = file ? [{ name: file.filename, data: Buffer.from(file.content, "utf8"), contentType: "text/plain" }] : undefined;
    try {
      const msg = await call("dm", () => this.rest.post(Routes.channelMessages(channelId), { body, files })) as { id: string };
      return messageRefOf(channelId, msg.id);
    } catch (err) {
      if (discordCode(err) === CANNOT_DM) throw new DmUnavailableError(identity);
      throw err;
    }
  }

  /** The DM channel with a user, opened once and remembered (Discord returns the same channel every time). */
  private async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId) ?? await this.store?.get(`${PLATFORM}:${userId}`);
    if (known) { this.dmChannels.set(userId, known); return known; }
    const ch = await call("open DM", () => this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as { id: string };
    this.dmChannels.set(userId, ch.id);
    await this.store?.set(`${PLATFORM}:${userId}`, ch.id);
    return ch.id;
  }
}
