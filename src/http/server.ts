/** The HTTP server on PORT: /healthz and /metrics, plus routes adapters add (Slack's HTTP mode). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sql } from "kysely";
import type { Core } from "../core/core.ts";

/** A route an adapter adds; returns true when it handled the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export class HttpServer {
  readonly server: Server;
  private readonly routes: RouteHandler[] = [];

  constructor(private readonly core: Core) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Adds a route tried before the 404. */
  addRoute(handler: RouteHandler): void {
    this.routes.push(handler);
  }

  /** Starts listening; resolves with the bound port (useful with PORT=0). */
  listen(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        const addr = this.server.address();
        resolve(typeof addr === "object" && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting connections. */
  close(): Promise<void> {
    return new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections(); });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method === "GET" && path === "/healthz") return await this.health(res);
      if (req.method === "GET" && path === "/metrics") {
        const { registry } = this.core.app.metrics;
        res.writeHead(200, { "content-type": registry.contentType }).end(await registry.metrics());
        return;
      }
      for (const route of this.routes) if (await route(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    } catch (err) {
      this.core.app.log.error({ err }, "http request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
    }
  }

  private async health(res: ServerResponse): Promise<void> {
    let db = "ok";
    try {
      await sql`select 1`.execute(this.core.app.db.k);
    } catch {
      db = "unavailable";
    }
    const { running, queued } = db === "ok" ? await this.core.app.jobs.snapshot() : { running: [], queued: [] };
    const body = { status: db === "ok" ? "ok" : "degraded", db, driver: this.core.app.driver.name, queue: { running: running.length, queued: queued.length } };
    res.writeHead(db === "ok" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
}
