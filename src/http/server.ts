/**
 * The HTTP server on PORT: /healthz (public, ok or not ok), /metrics (only via METRICS_HOST or with METRICS_TOKEN),
 * plus routes adapters add (Slack's HTTP mode). When PORT's listener does not cover METRICS_HOST, a second listener on
 * METRICS_HOST and the same port serves /metrics and /healthz only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { sql } from "kysely";
import type { Core } from "../core/core.ts";
import { bindCovers, hasMetricsToken, viaMetricsHost, type MetricsAccess } from "./metrics-access.ts";

/** A route an adapter adds; returns true when it handled the request. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export class HttpServer {
  readonly server: Server;
  /** The METRICS_HOST listener, when PORT's listener does not cover that address. */
  private metricsServer: Server | undefined;
  private readonly routes: RouteHandler[] = [];
  private readonly access: MetricsAccess;

  constructor(private readonly core: Core, access: Partial<MetricsAccess> = {}) {
    this.access = { host: access.host ?? "127.0.0.1", token: access.token };
    this.server = createServer((req, res) => void this.handle(req, res, false));
  }

  /** Adds a route tried before the 404. */
  addRoute(handler: RouteHandler): void {
    this.routes.push(handler);
  }

  /** Starts listening on `host:port` (and on METRICS_HOST when `host` does not cover it); resolves with the bound port. */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    const bound = await listenOn(this.server, port, host);
    if (!bindCovers(host, this.access.host)) {
      const metrics = createServer((req, res) => void this.handle(req, res, true));
      try {
        await listenOn(metrics, bound, this.access.host);
      } catch (e) {
        await closeServer(this.server);
        throw e;
      }
      this.metricsServer = metrics;
    }
    return bound;
  }

  /** Stops accepting connections. */
  async close(): Promise<void> {
    await Promise.all([closeServer(this.server), this.metricsServer && closeServer(this.metricsServer)]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, metricsListener: boolean): Promise<void> {
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method === "GET" && path === "/healthz") return await this.health(res);
      if (req.method === "GET" && path === "/metrics") return await this.metrics(req, res, metricsListener);
      if (!metricsListener) for (const route of this.routes) if (await route(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    } catch (err) {
      this.core.app.log.error({ err }, "http request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
    }
  }

  private async metrics(req: IncomingMessage, res: ServerResponse, metricsListener: boolean): Promise<void> {
    const open = metricsListener || viaMetricsHost(req, this.access) || hasMetricsToken(req, this.access.token);
    if (!open) {
      // With a token configured, say how to authenticate; without one, the address is the only way in.
      if (this.access.token) res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="labforge metrics"' }).end("metrics need METRICS_TOKEN as a bearer token here\n");
      else res.writeHead(403, { "content-type": "text/plain" }).end("metrics are served only on METRICS_HOST\n");
      return;
    }
    const { registry } = this.core.app.metrics;
    res.writeHead(200, { "content-type": registry.contentType }).end(await registry.metrics());
  }

  // Public, so it says only ok or not ok: queue sizes and the driver are for /metrics.
  private async health(res: ServerResponse): Promise<void> {
    let ok = true;
    try {
      await sql`select 1`.execute(this.core.app.db.k);
    } catch {
      ok = false;
    }
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ status: ok ? "ok" : "not ok" }));
  }
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
}
