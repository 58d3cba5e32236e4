/** The fake's REST routes, answering as Discord does (status codes, error codes, objects), on a FakeState. */
import { channelObject, messageObject, snowflake, type StoredMessage } from "./payloads.ts";
import type { FakeState, RecordedFile } from "./state.ts";

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  auth: string | undefined;
  body: Record<string, unknown> | undefined;
  files: RecordedFile[];
}

export interface RestAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const TOKEN_LIFE_MS = 15 * 60_000;
const err = (status: number, code: number, message: string): RestAnswer => ({ status, body: { code, message } });
const NOT_FOUND = err(404, 0, "404: Not Found");

/** Answers one REST call; interaction callbacks and webhook routes need no bot token, the rest do. */
export function route(s: FakeState, req: RestRequest): RestAnswer {
  const p = req.path.split("/").filter(Boolean);
  const m = req.method;
  if (p[0] === "interactions" && p[3] === "callback" && m === "POST") return callback(s, p[1]!, p[2]!, req);
  if (p[0] === "webhooks") return webhook(s, p, req);
  if (req.auth !== `Bot ${s.token}`) return err(401, 0, "401: Unauthorized");
  if (m === "GET" && req.path === "/gateway/bot") return { status: 200, body: undefined }; // filled in by the server (it knows its URL)
  if (m === "PUT" && p[0] === "applications" && p[2] === "guilds" && p[4] === "commands") return putCommands(s, p[1]!, p[3]!, req);
  if (m === "POST" && req.path === "/users/@me/channels") return openDm(s, req);
  if (p[0] === "channels" && p[2] === "messages") {
    const ch = s.channels.get(p[1]!);
    if (!ch) return err(404, 10003, "Unknown Channel");
    if (m === "POST" && p.length === 3) {
      if (ch.kind === "dm" && s.closedDms.has(ch.recipient!)) return err(403, 50007, "Cannot send messages to this user");
      const msg = newMessage(s, ch.id, req);
      ch.messages.push(msg);
      return { status: 200, body: messageObject(msg) };
    }
    const msg = ch.messages.find((x) => x.id === p[3]);
    if (!msg) return err(404, 10008, "Unknown Message");
    if (m === "PATCH" && p.length === 4) return { status: 200, body: messageObject(edit(msg, req)) };
    if (m === "POST" && p[4] === "threads") return startThread(s, ch.id, msg, req);
  }
  return NOT_FOUND;
}

function newMessage(s: FakeState, channelId: string, req: RestRequest): StoredMessage {
  const b = req.body ?? {};
  return {
    id: snowflake(), channel_id: channelId, author: s.bot, content: String(b.content ?? ""), embeds: (b.embeds as unknown[]) ?? [],
    components: (b.components as unknown[]) ?? [], flags: Number(b.flags ?? 0), message_reference: b.message_reference, edited: 0,
    attachments: req.files.map((f) => ({ id: snowflake(), filename: f.filename, size: Buffer.byteLength(f.content), content: f.content })),
  };
}

function edit<T extends StoredMessage>(msg: T, req: RestRequest): T {
  const b = req.body ?? {};
  if ("content" in b) msg.content = String(b.content ?? "");
  if ("embeds" in b) msg.embeds = (b.embeds as unknown[]) ?? [];
  if ("components" in b) msg.components = (b.components as unknown[]) ?? [];
  msg.edited++;
  return msg;
}

function putCommands(s: FakeState, app: string, guild: string, req: RestRequest): RestAnswer {
  if (app !== s.applicationId) return err(403, 50001, "Missing Access");
  const body = req.body as unknown as Record<string, unknown>[];
  if (!Array.isArray(body)) return err(400, 50035, "Invalid Form Body");
  s.commands = body.map((c) => ({ ...c, id: snowflake(), application_id: app, guild_id: guild, version: snowflake() }));
  return { status: 200, body: s.commands };
}

function openDm(s: FakeState, req: RestRequest): RestAnswer {
  const recipient = String(req.body?.recipient_id ?? "");
  if (!/^[0-9]{17,20}$/.test(recipient)) return err(400, 50035, "Invalid Form Body");
  const ch = s.dmChannelFor(recipient);
  return { status: 200, body: channelObject(ch.id, "dm", { recipients: [{ id: recipient, username: recipient, discriminator: "0", avatar: null }] }) };
}

function startThread(s: FakeState, channelId: string, msg: StoredMessage, req: RestRequest): RestAnswer {
  if (s.channels.get(channelId)!.kind !== "text") return err(400, 50024, "Cannot execute action on this channel type");
  // Discord gives a thread started from a message the message's id, and refuses a second one.
  if (s.channels.has(msg.id)) return err(400, 160004, "A thread has already been created for this message");
  const name = String(req.body?.name ?? "");
  if (name.length < 1 || name.length > 100) return err(400, 50035, "Invalid Form Body");
  s.channels.set(msg.id, { id: msg.id, kind: "thread", parent: channelId, name, messages: [] });
  return { status: 201, body: channelObject(msg.id, "thread", { parent_id: channelId, name, owner_id: s.bot.id, thread_metadata: { archived: false, auto_archive_duration: 10080, archive_timestamp: new Date().toISOString(), locked: false } }) };
}

function callback(s: FakeState, id: string, token: string, req: RestRequest): RestAnswer {
  const i = s.interactions.get(id);
  if (!i || i.token !== token || Date.now() - i.dispatchedAt > s.ackDeadlineMs) return err(404, 10062, "Unknown interaction");
  if (i.callbacks.length > 0) return err(400, 40060, "Interaction has already been acknowledged.");
  const type = Number(req.body?.type);
  const data = req.body?.data as Record<string, unknown> | undefined;
  i.callbacks.push({ type, data, at: performance.now() });
  if (type === 4 || type === 5) {
    const msg = newMessage(s, String(i.payload.channel_id), { ...req, body: data });
    i.original = { ...msg, ephemeral: (Number(data?.flags ?? 0) & 64) !== 0, deferred: type === 5 };
  }
  return { status: 204 };
}

function webhook(s: FakeState, p: string[], req: RestRequest): RestAnswer {
  const i = s.interactionByToken(p[2] ?? "");
  if (p[1] !== s.applicationId || !i) return err(404, 10015, "Unknown Webhook");
  if (Date.now() - i.dispatchedAt > TOKEN_LIFE_MS) return err(401, 50027, "Invalid Webhook Token");
  if (i.callbacks.length === 0) return err(404, 10015, "Unknown Webhook");
  if (req.method === "POST" && p.length === 3) {
    if (i.original?.deferred) { // the first follow-up after a defer resolves it, keeping the defer's visibility
      i.original.deferred = false;
      return { status: 200, body: messageObject(edit(i.original, req)) };
    }
    const msg = newMessage(s, String(i.payload.channel_id), req);
    const followup = { ...msg, ephemeral: (Number(req.body?.flags ?? 0) & 64) !== 0 };
    i.followups.push(followup);
    return { status: 200, body: messageObject(followup) };
  }
  if (p[3] !== "messages") return NOT_FOUND;
  const target = p[4] === "@original" ? i.original : i.followups.find((f) => f.id === p[4]);
  if (!target) return err(404, 10008, "Unknown Message");
  if (req.method === "PATCH") {
    if ("deferred" in target) target.deferred = false;
    return { status: 200, body: messageObject(edit(target, req)) };
  }
  if (req.method === "DELETE") {
    if (target === i.original) i.original = undefined;
    else i.followups.splice(i.followups.indexOf(target), 1);
    return { status: 204 };
  }
  return NOT_FOUND;
}
