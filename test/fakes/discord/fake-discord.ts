/**
 * A local fake of Discord for tests: REST on node:http and the gateway on `ws`, in one server.
 * It records every REST call (method, decoded path, body, files), answers 50007 for DMs to chosen users
 * and 429 with Retry-After for chosen routes, and dispatches interactions as a Discord client would.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGateway } from "./gateway.ts";
import { route, type RestAnswer } from "./rest-routes.ts";
import { FakeState, type RecordedFile, type RestCall } from "./state.ts";
import { snowflake, type FakeUser, type StoredMessage } from "./payloads.ts";
import { Interactions } from "./interactions.ts";

export interface FakeDiscordOptions {
  token?: string;
  /** Guild text channels that exist from the start. */
  channels: string[];
  heartbeatIntervalMs?: number;
}

/** The fake: start() it, give discord.js its apiUrl, drive it through `interactions`, inspect `calls` and `state`. */
export class FakeDiscord {
  readonly token: string;
  readonly applicationId = snowflake();
  readonly guildId = snowflake();
  readonly bot: FakeUser = { id: snowflake(), username: "labforge", bot: true };
  readonly state: FakeState;
  readonly gateway: FakeGateway;
  /** Builds and dispatches slash commands, autocomplete and button presses, and reads their answers. */
  readonly interactions: Interactions;
  private readonly server: Server;
  private port = 0;

  constructor(opts: FakeDiscordOptions) {
    this.token = opts.token ?? "fake-bot-token.abcdef.0123456789";
    this.state = new FakeState(this.bot, this.token, this.applicationId);
    for (const c of opts.channels) this.state.addTextChannel(c);
    this.gateway = new FakeGateway({
      token: this.token, applicationId: this.applicationId, guildId: this.guildId, bot: this.bot, channels: opts.channels,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250, resumeUrl: () => `ws://127.0.0.1:${this.port}/gateway`, changed: () => this.state.changed(),
    });
    this.interactions = new Interactions(this.state, this.gateway, this.guildId);
    this.server = createServer((req, res) => {
      void this.handle(req).then((a) => {
        const empty = a.status === 204 || a.body === undefined;
        res.writeHead(a.status, { ...(empty ? {} : { "content-type": "application/json" }), ...a.headers });
        res.end(empty ? undefined : JSON.stringify(a.body));
      }, (e: unknown) => { res.writeHead(500); res.end(String(e)); });
    });
    this.server.on("upgrade", (req, socket, head) => {
      if (new URL(req.url ?? "/", "http://x").pathname === "/gateway") this.gateway.upgrade(req, socket, head);
      else socket.destroy();
    });
  }

  /** The REST base URL to give discord.js (`rest.api`). */
  get apiUrl(): string { return `http://127.0.0.1:${this.port}/api`; }

  /** Every REST call so far, in order. */
  get calls(): readonly RestCall[] { return this.state.calls; }

  /** Listens on a free port on 127.0.0.1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Closes gateway connections and the server. */
  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes sending a DM to this user fail with 50007, as when they closed their DMs. */
  closeDms(userId: string): void { this.state.closedDms.add(userId); }

  /** Answers the next `times` calls matching method and path with 429 and `Retry-After: retryAfterS`. */
  rateLimit(method: string, path: RegExp, times = 1, retryAfterS = 0.05): void {
    this.state.rateRules.push({ method, path, remaining: times, retryAfterS });
  }

  /** Messages in a channel (guild channel, DM or thread), oldest first. */
  messagesIn(channelId: string): StoredMessage[] { return this.state.channels.get(channelId)?.messages ?? []; }

  /** Messages the bot sent to a user by DM. */
  dmsTo(userId: string): StoredMessage[] {
    const ch = this.state.dmOf.get(userId);
    return ch ? this.messagesIn(ch) : [];
  }

  /** REST calls whose method and path match. */
  callsTo(method: string, path: RegExp): RestCall[] { return this.state.calls.filter((c) => c.method === method && path.test(c.path)); }

  /** Resolves once `check` holds after some change (a REST call or dispatch). */
  waitFor<T>(check: () => T | undefined | false): Promise<T> { return this.state.waitFor(check); }

  private async handle(req: IncomingMessage): Promise<RestAnswer> {
    const url = new URL(req.url ?? "/", "http://x");
    const prefix = "/api/v10";
    if (!url.pathname.startsWith(prefix)) return { status: 404, body: { code: 0, message: "404: Not Found" } };
    const path = decodeURIComponent(url.pathname.slice(prefix.length));
    const { body, files } = await readBody(req);
    const method = req.method ?? "GET";
    const call: RestCall = { method, path, query: url.search, body, files, status: 0 };
    const answer = this.limited(method, path) ?? this.answer(method, path, url.searchParams, req.headers.authorization, body, files);
    call.status = answer.status;
    // Discord tells the gateway about a thread the bot started, as it does for the real bot (Guilds intent).
    if (answer.status === 201 && path.endsWith("/threads")) this.gateway.dispatch("THREAD_CREATE", { ...(answer.body as object), guild_id: this.guildId, newly_created: true });
    this.state.calls.push(call);
    this.state.changed();
    return answer;
  }

  private answer(method: string, path: string, query: URLSearchParams, auth: string | undefined, body: unknown, files: RecordedFile[]): RestAnswer {
    const a = route(this.state, { method, path, query, auth, body: body as Record<string, unknown> | undefined, files });
    if (method === "GET" && path === "/gateway/bot" && a.status === 200) {
      a.body = { url: `ws://127.0.0.1:${this.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } };
    }
    return a;
  }

  private limited(method: string, path: string): RestAnswer | undefined {
    const rule = this.state.rateRules.find((r) => r.remaining > 0 && r.method === method && r.path.test(path));
    if (!rule) return undefined;
    rule.remaining--;
    const after = String(rule.retryAfterS);
    return {
      status: 429,
      headers: { "retry-after": after, "x-ratelimit-limit": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": after, "x-ratelimit-bucket": "fakebucket", "x-ratelimit-scope": "user" },
      body: { message: "You are being rate limited.", retry_after: rule.retryAfterS, global: false },
    };
  }
}

/** Reads a JSON body, or a multipart body (`payload_json` plus `files[n]`) as discord.js sends attachments. */
async function readBody(req: IncomingMessage): Promise<{ body: unknown; files: RecordedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers["content-type"] ?? "";
  if (raw.length === 0) return { body: undefined, files: [] };
  if (type.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": type } }).formData();
    const files: RecordedFile[] = [];
    let body: unknown;
    for (const [field, value] of form.entries()) {
      if (field === "payload_json") body = JSON.parse(String(value));
      else if (typeof value !== "string") files.push({ field, filename: value.name, content: await value.text() });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString("utf8")) as unknown, files: [] };
}
