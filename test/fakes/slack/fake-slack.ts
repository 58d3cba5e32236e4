/**
 * A local fake of Slack for tests and the benchmark: the Web API methods labforge uses, the file upload
 * URL, response_url, and the Socket Mode WebSocket endpoint. It records every call, enforces Slack's
 * per-method and per-channel rate limits with 429 + Retry-After, and can inject faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { CHANNEL_POST_LIMIT, METHOD_LIMITS, TokenBucket } from "./token-bucket.ts";

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  status: number;
}

export interface Message {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: any[];
  updates: number;
}

export interface SharedFile {
  id: string;
  channel: string;
  filename: string;
  content: string;
  comment?: string;
  at: number;
}

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  /** Multiplies every rate (not the bursts), so tests can exercise the limits quickly. */
  rateScale?: number;
  /** Turn rate limiting off entirely (for the bare-app floor of the benchmark). */
  unlimited?: boolean;
}

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly messages = new Map<string, Message>();
  readonly posts: { channel: string; at: number }[] = [];
  readonly files: SharedFile[] = [];
  readonly responses: { id: string; body: any; at: number }[] = [];
  readonly views: { method: string; view: any; user_id?: string }[] = [];
  readonly acks: { envelope_id: string; payload: unknown; latencyMs: number }[] = [];
  private readonly faults = new Map<string, string[]>();
  private readonly forced429 = new Map<string, number[]>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly uploads = new Map<string, { filename: string; content?: string }>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pendingAcks = new Map<string, { sent: number; resolve: (p: unknown) => void }>();
  private server!: Server;
  private wss!: WebSocketServer;
  private seq = 0;
  base = "";
  readonly botToken: string;
  readonly appToken: string;

  constructor(private readonly opts: FakeSlackOptions = {}) {
    this.botToken = opts.botToken ?? "xoxb-fake-bot-token";
    this.appToken = opts.appToken ?? "xapp-fake-app-token";
  }

  /** The Web API base URL, with its trailing slash. */
  get apiUrl(): string { return `${this.base}/api/`; }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/socket")) { socket.destroy(); return; }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Makes the next call(s) of `method` fail with the given Slack error. */
  failNext(method: string, error: string, times = 1): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array(times).fill(error)]);
  }

  /** Makes `method` work again: drops the faults and forced 429s still waiting for it. */
  heal(method: string): void {
    this.faults.delete(method);
    this.forced429.delete(method);
  }

  /** Makes the next call(s) of `method` answer 429 with this Retry-After, whatever the buckets say. */
  rateLimitNext(method: string, retryAfterSeconds = 1, times = 1): void {
    this.forced429.set(method, [...(this.forced429.get(method) ?? []), ...Array(times).fill(retryAfterSeconds)]);
  }

  /** A response_url for a simulated interaction. */
  responseUrl(): string { return `${this.base}/response/r${++this.seq}`; }

  /**
   * The messages a user sees in answer to one command: what its acknowledgement carried (`ack`, the HTTP body, if
   * it shows text), then each post to its response_url in order: `replace_original` replaces the message the
   * command produced last (as Slack does), `delete_original` removes it, anything else adds one.
   */
  seen(responseUrl: string, ack?: { text?: string; blocks?: unknown[] }): unknown[] {
    const id = responseUrl.slice(responseUrl.lastIndexOf("/") + 1);
    const shown: unknown[] = ack && (ack.text || ack.blocks) ? [ack] : [];
    for (const r of this.responses) {
      if (r.id !== id) continue;
      if (r.body.delete_original === true) shown.pop();
      else if (r.body.replace_original === true && shown.length > 0) shown[shown.length - 1] = r.body;
      else shown.push(r.body);
    }
    return shown;
  }

  /** Calls of one method. */
  callsOf(method: string): ApiCall[] { return this.calls.filter((c) => c.method === method); }

  /** Number of 429 answers given. */
  get rateLimited(): number { return this.calls.filter((c) => c.status === 429).length; }

  /** The most posts any channel received in any `windowMs` window. */
  maxPostsInWindow(windowMs = 10_000): { channel: string; posts: number } {
    const byChannel = new Map<string, number[]>();
    for (const p of this.posts) byChannel.set(p.channel, [...(byChannel.get(p.channel) ?? []), p.at]);
    let best = { channel: "", posts: 0 };
    for (const [channel, times] of byChannel) {
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= windowMs) start++;
        if (end - start + 1 > best.posts) best = { channel, posts: end - start + 1 };
      }
    }
    return best;
  }

  /** Sends a Socket Mode envelope and resolves with the ack's payload (rejects if not acked in 3 s). */
  sendEnvelope(type: "slash_commands" | "interactive" | "events_api", payload: unknown, envelopeId = `env-${++this.seq}`): Promise<unknown> {
    const ws = [...this.sockets][0];
    if (!ws) return Promise.reject(new Error("no Socket Mode connection"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pendingAcks.delete(envelopeId); reject(new Error(`envelope ${envelopeId} not acknowledged within 3 s`)); }, 3000);
      this.pendingAcks.set(envelopeId, { sent: performance.now(), resolve: (p) => { clearTimeout(timer); resolve(p); } });
      ws.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true, retry_attempt: 0, retry_reason: "" }));
    });
  }

  /** Resolves once a Socket Mode client is connected. */
  async socketConnected(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sockets.size === 0) {
      if (Date.now() > deadline) throw new Error("no Socket Mode connection");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      const pending = msg.envelope_id ? this.pendingAcks.get(msg.envelope_id) : undefined;
      if (!pending || !msg.envelope_id) return;
      this.pendingAcks.delete(msg.envelope_id);
      this.acks.push({ envelope_id: msg.envelope_id, payload: msg.payload, latencyMs: performance.now() - pending.sent });
      pending.resolve(msg.payload);
    });
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake" }, connection_info: { app_id: "A0LABFORGE" } }));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    if (path.startsWith("/api/")) return this.api(path.slice(5), req, body, res);
    if (path.startsWith("/upload/")) {
      const up = this.uploads.get(path.slice(8));
      if (up) up.content = body.toString("utf8");
      res.writeHead(up ? 200 : 404).end(up ? `OK - ${body.length}` : "not found");
      return;
    }
    if (path.startsWith("/response/")) {
      this.responses.push({ id: path.slice(10), body: JSON.parse(body.toString("utf8") || "{}"), at: performance.now() });
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    res.writeHead(404).end();
  }

  private api(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const args = parseArgs(req.headers["content-type"], raw);
    const call: ApiCall = { method, args, at: performance.now(), status: 200 };
    this.calls.push(call);
    const send = (status: number, json: object, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(json));
    };
    const auth = req.headers.authorization ?? `Bearer ${String(args.token ?? "")}`;
    const expected = method === "apps.connections.open" ? this.appToken : this.botToken;
    if (auth !== `Bearer ${expected}`) return send(200, { ok: false, error: "invalid_auth" });
    const limited = this.forced429.get(method)?.shift() ?? this.limit(method, args);
    if (limited) return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited) });
    const fault = this.faults.get(method)?.shift();
    if (fault) return send(200, { ok: false, error: fault });
    const handler = METHODS[method];
    if (!handler) return send(200, { ok: false, error: "unknown_method" });
    const result = handler(this, args);
    send(200, { ok: !("error" in result), ...result });
  }

  private limit(method: string, args: Record<string, unknown>): number | undefined {
    if (this.opts.unlimited) return undefined;
    const scale = this.opts.rateScale ?? 1;
    let key: string | undefined;
    let limit: { perSecond: number; burst: number } | undefined;
    if (method === "chat.postMessage") {
      key = `post:${String(args.channel)}`;
      limit = { perSecond: CHANNEL_POST_LIMIT.perSecond * scale, burst: CHANNEL_POST_LIMIT.burst };
    } else if (METHOD_LIMITS[method]) {
      key = method;
      limit = { perSecond: (METHOD_LIMITS[method]!.perMinute / 60) * scale, burst: METHOD_LIMITS[method]!.burst };
    }
    if (!key || !limit) return undefined;
    let bucket = this.buckets.get(key);
    if (!bucket) { bucket = new TokenBucket(limit.burst, limit.perSecond); this.buckets.set(key, bucket); }
    const r = bucket.take();
    return r.ok ? undefined : r.retryAfterSeconds;
  }

  /** Next message timestamp, unique and increasing like Slack's. */
  nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
  }

  /** Records a new file upload slot. */
  newUpload(filename: string): string {
    const id = `F${String(++this.seq).padStart(8, "0")}`;
    this.uploads.set(id, { filename });
    return id;
  }

  /** Takes an uploaded file's content. */
  uploaded(id: string): { filename: string; content?: string } | undefined { return this.uploads.get(id); }
}

type Handler = (f: FakeSlack, a: Record<string, any>) => Record<string, unknown>;

const METHODS: Record<string, Handler> = {
  "auth.test": () => ({ url: "https://dept.slack.example/", team: "Dept", user: "labforge", team_id: "T0LABFORGE", user_id: "U0LABFORGE", bot_id: "B0LABFORGE" }),
  "apps.connections.open": (f) => ({ url: `${f.base.replace("http", "ws")}/socket?ticket=t${Date.now()}` }),
  "chat.postMessage": (f, a) => {
    if (!a.channel) return { error: "channel_not_found" };
    const m: Message = { channel: a.channel, ts: f.nextTs(), thread_ts: a.thread_ts, text: a.text, blocks: a.blocks, updates: 0 };
    f.messages.set(`${m.channel}:${m.ts}`, m);
    f.posts.push({ channel: m.channel, at: performance.now() });
    return { channel: m.channel, ts: m.ts, message: { text: m.text, ts: m.ts } };
  },
  "chat.update": (f, a) => {
    const m = f.messages.get(`${a.channel}:${a.ts}`);
    if (!m) return { error: "message_not_found" };
    Object.assign(m, { text: a.text, blocks: a.blocks, updates: m.updates + 1 });
    return { channel: m.channel, ts: m.ts };
  },
  "chat.postEphemeral": (f, a) => {
    f.messages.set(`ephemeral:${a.channel}:${a.user}:${f.nextTs()}`, { channel: `ephemeral:${a.channel}:${a.user}`, ts: "", text: a.text, blocks: a.blocks, updates: 0 });
    return { message_ts: f.nextTs() };
  },
  "conversations.open": (_f, a) => (a.users ? { channel: { id: `D${String(a.users).split(",")[0]}` } } : { error: "users_list_not_supplied" }),
  "files.getUploadURLExternal": (f, a) => {
    const id = f.newUpload(String(a.filename));
    return { upload_url: `${f.base}/upload/${id}`, file_id: id };
  },
  "files.completeUploadExternal": (f, a) => {
    const files = a.files as { id: string; title?: string }[];
    const shared = [];
    for (const file of files) {
      const up = f.uploaded(file.id);
      if (!up || up.content === undefined) return { error: "file_not_found" };
      f.files.push({ id: file.id, channel: a.channel_id, filename: up.filename, content: up.content, comment: a.initial_comment, at: performance.now() });
      shared.push({ id: file.id, name: up.filename, title: file.title ?? up.filename });
    }
    return { files: shared };
  },
  "views.open": (f, a) => { f.views.push({ method: "views.open", view: a.view }); return { view: { id: `V${f.nextTs()}` } }; },
  "views.publish": (f, a) => { f.views.push({ method: "views.publish", view: a.view, user_id: a.user_id }); return { view: { id: `V${f.nextTs()}` } }; },
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Slack's Web API takes form fields with nested values JSON-encoded (or a JSON body). */
function parseArgs(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (contentType?.startsWith("application/json")) return text ? JSON.parse(text) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try { return JSON.parse(v); } catch { return v; }
}
