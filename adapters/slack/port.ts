/** The Slack ChatPort: channel posts, in-place updates, thread replies (merged while the channel is busy), ephemerals and DMs with files. */
import type { Attachment, Card, Reply } from "../../src/kernel/cards.ts";
import type { ChatPort, DmChannelStore } from "../../src/kernel/ports.ts";
import type { SlackLimiter } from "./limiter.ts";
import { renderMany, renderMessage } from "./render.ts";
import { messageRef, parseRef, slackId } from "./refs.ts";

export class SlackPort implements ChatPort {
  readonly platform = "slack";
  private readonly dmChannels = new Map<string, string>();
  private readonly pendingThreads = new Map<string, { cards: Card[]; done: Promise<string> }>();

  constructor(private readonly limiter: SlackLimiter, private readonly store?: DmChannelStore) {}

  /**
   * After a restart: posts the reply to the stored response_url (valid 30 minutes): `slack:replace:<url>` (a
   * command) replaces what the command showed, `slack:respond:<url>` (a press) adds a message.
   */
  async answerLate(respondRef: string, reply: Reply): Promise<boolean> {
    const replace = respondRef.startsWith(REPLACE);
    const url = replace ? respondRef.slice(REPLACE.length) : respondRef.startsWith(RESPOND) ? respondRef.slice(RESPOND.length) : "";
    if (!/^https?:\/\//.test(url)) return false;
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(answerBody(reply, replace)) });
    return res.ok;
  }

  async post(channel: string, card: Card): Promise<string> {
    const id = need(slackId(channel), channel);
    const r = await this.limiter.post<{ channel: string; ts: string }>(id, () => renderMessage(card));
    return messageRef(r.channel, r.ts);
  }

  async update(ref: string, card: Card): Promise<void> {
    const { channel, ts } = need(parseRef(ref), ref);
    if (ts.startsWith("file:")) return; // a file message cannot be edited
    await this.limiter.update(channel, ts, renderMessage(card));
  }

  replyInThread(ref: string, card: Card): Promise<string> {
    const { channel, ts } = need(parseRef(ref), ref);
    const key = `${channel}:${ts}`;
    const waiting = this.pendingThreads.get(key);
    // While the channel's rate limit holds a reply back, later replies join it: nothing is lost, fewer posts are made.
    if (waiting) { waiting.cards.push(card); return waiting.done; }
    const entry = { cards: [card], done: Promise.resolve("") };
    entry.done = this.limiter.post<{ channel: string; ts: string }>(channel, () => {
      this.pendingThreads.delete(key);
      return { thread_ts: ts, ...renderMany(entry.cards) };
    }).then((r) => messageRef(r.channel, r.ts));
    this.pendingThreads.set(key, entry);
    return entry.done;
  }

  async ephemeral(channel: string, identity: string, card: Card): Promise<void> {
    await this.limiter.call("chat.postEphemeral", { channel: need(slackId(channel), channel), user: need(slackId(identity), identity), ...renderMessage(card) });
  }

  async dm(identity: string, card: Card, file?: Attachment): Promise<string> {
    const channel = await this.dmChannel(need(slackId(identity), identity));
    if (!file) {
      const r = await this.limiter.post<{ channel: string; ts: string }>(channel, () => renderMessage(card));
      return messageRef(r.channel, r.ts);
    }
    return this.upload(channel, card, file);
  }

  /** files.uploadV2's three steps, each through the limiter: get an upload URL, send the bytes, share into the DM. */
  private async upload(channel: string, card: Card, file: Attachment): Promise<string> {
    const bytes = Buffer.from(file.content, "utf8");
    const { upload_url, file_id } = await this.limiter.call<{ upload_url: string; file_id: string }>("files.getUploadURLExternal", { filename: file.filename, length: bytes.length });
    const res = await fetch(upload_url, { method: "POST", body: bytes });
    if (!res.ok) throw new Error(`file upload failed with HTTP ${res.status}`);
    const text = renderMessage(card).text;
    const quickStart = card.code ? `\n\`\`\`${card.code}\`\`\`` : "";
    await this.limiter.call("files.completeUploadExternal", { files: JSON.stringify([{ id: file_id, title: file.filename }]), channel_id: channel, initial_comment: `${text}${quickStart}` });
    return messageRef(channel, `file:${file_id}`);
  }

  /** The DM channel with a user: remembered here and in the database, so conversations.open (Tier 3) runs once per user ever. */
  private async dmChannel(user: string): Promise<string> {
    const known = this.dmChannels.get(user) ?? await this.store?.get(`slack:${user}`);
    if (known) { this.dmChannels.set(user, known); return known; }
    const r = await this.limiter.call<{ channel: { id: string } }>("conversations.open", { users: user });
    this.dmChannels.set(user, r.channel.id);
    await this.store?.set(`slack:${user}`, r.channel.id);
    return r.channel.id;
  }
}

/** How a Slack inbox entry's response_url is stored as a respond ref: a press's answer adds a message… */
export const RESPOND = "slack:respond:";
/** …a command's answer replaces the message its acknowledgement showed. */
export const REPLACE = "slack:replace:";

/**
 * A reply as a response_url body. Only an ephemeral answer replaces: Slack cannot turn an ephemeral message into one
 * for the channel, so a reply for everyone is always a new message.
 */
export function answerBody(reply: Reply, replace: boolean): Record<string, unknown> {
  const isPrivate = reply.visibility === "private";
  return { response_type: isPrivate ? "ephemeral" : "in_channel", replace_original: replace && isPrivate, ...renderMessage(reply.card) };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`not a Slack reference: ${what}`);
  return value;
}
