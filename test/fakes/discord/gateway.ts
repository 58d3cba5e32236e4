/** The fake's gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats → ACK, and dispatches such as INTERACTION_CREATE. */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { guildObject, snowflake, userObject, type FakeUser } from "./payloads.ts";

export interface GatewayOptions {
  token: string;
  applicationId: string;
  guildId: string;
  bot: FakeUser;
  channels: string[];
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  /** Called after each frame handled, so waiters can re-check. */
  changed: () => void;
}

/** The gateway side of the fake, sharing the REST server's port. */
export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly identified = new Set<WebSocket>();
  private seq = 0;
  /** Every IDENTIFY payload received (intents, properties), for asserting what the bot asks for. */
  readonly identifies: { intents: number; token: string }[] = [];
  /** Heartbeats received and acknowledged. */
  heartbeats = 0;
  /** WebSocket connections accepted (a client that reconnects or resumes opens another). */
  connections = 0;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly opts: GatewayOptions) {}

  /** Takes over an HTTP upgrade to `/gateway`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  /** Resolves once a client has identified and been sent READY and GUILD_CREATE. */
  whenIdentified(): Promise<void> {
    if (this.identified.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends a dispatch event (op 0) to every identified client. */
  dispatch(t: string, d: unknown): void {
    for (const ws of this.identified) this.send(ws, { op: 0, t, s: ++this.seq, d });
  }

  /** Closes every connection and the server. */
  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private connected(ws: WebSocket): void {
    this.connections++;
    this.sockets.add(ws);
    ws.on("close", () => { this.sockets.delete(ws); this.identified.delete(ws); });
    ws.on("message", (raw) => this.received(ws, String(raw)));
    this.send(ws, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs }, s: null, t: null });
  }

  private received(ws: WebSocket, raw: string): void {
    let frame: { op: number; d: unknown };
    try { frame = JSON.parse(raw) as { op: number; d: unknown }; } catch { ws.close(4002, "Decode error"); return; }
    switch (frame.op) {
      case 1: this.heartbeats++; this.send(ws, { op: 11, d: null, s: null, t: null }); this.opts.changed(); return;
      case 2: this.identify(ws, frame.d as { token: string; intents: number }); return;
      case 6: this.send(ws, { op: 9, d: false, s: null, t: null }); return; // no resumes: the client identifies again
      default: return;
    }
  }

  private identify(ws: WebSocket, d: { token: string; intents: number }): void {
    this.identifies.push({ intents: d.intents, token: d.token });
    this.opts.changed();
    if (d.token !== this.opts.token) { ws.close(4004, "Authentication failed."); return; }
    const { applicationId, guildId, bot } = this.opts;
    this.identified.add(ws);
    this.send(ws, { op: 0, t: "READY", s: ++this.seq, d: {
      v: 10, user: userObject(bot), guilds: [{ id: guildId, unavailable: true }], session_id: snowflake(),
      resume_gateway_url: this.opts.resumeUrl(), shard: [0, 1], application: { id: applicationId, flags: 0 },
      private_channels: [], relationships: [], presences: [], user_settings: {}, geo_ordered_rtc_regions: [],
    } });
    this.send(ws, { op: 0, t: "GUILD_CREATE", s: ++this.seq, d: guildObject(guildId, bot.id, this.opts.channels) });
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private send(ws: WebSocket, frame: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }
}
