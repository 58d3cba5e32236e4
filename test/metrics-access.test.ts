/**
 * /metrics only via METRICS_HOST or with METRICS_TOKEN (issue 13.3). Addresses in 127.0.0.0/8 other than 127.0.0.1
 * stand in for a public interface: they are local on Linux, but not the metrics host.
 */
import { afterEach, describe, expect, it } from "vitest";
import { request } from "node:http";
import { makeCore, type TestCore } from "./helpers/harness.ts";
import { HttpServer } from "../src/http/server.ts";
import { bindCovers } from "../src/http/metrics-access.ts";
import { startBot } from "./helpers/bot-process.ts";
import { loadSettings } from "../src/config/settings.ts";
import { ConfigError } from "../src/config/load.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

/** GET over plain node:http (fetch would not let a test pick the address so freely). */
function get(host: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => { body += String(d); });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

let t: TestCore | undefined;
let http: HttpServer | undefined;
afterEach(async () => { await http?.close(); await t?.close(); http = undefined; t = undefined; });

describe("/metrics access, in process", () => {
  it("on a wildcard bind: open to connections made to 127.0.0.1, refused on any other address", async () => {
    t = await makeCore();
    http = new HttpServer(t.core);
    const port = await http.listen(0, "0.0.0.0");
    const local = await get("127.0.0.1", port, "/metrics");
    expect(local.status).toBe(200);
    expect(local.body).toContain("labforge_queue_depth");
    const other = await get("127.0.0.2", port, "/metrics");
    expect(other.status).toBe(403);
    expect(other.body).not.toContain("labforge_");
    // /healthz stays public on every address, and says only ok.
    expect(await get("127.0.0.2", port, "/healthz")).toMatchObject({ status: 200, body: '{"status":"ok"}' });
  });

  it("with METRICS_TOKEN: the bearer token opens /metrics on a non-metrics address, a wrong one is refused with 401", async () => {
    t = await makeCore();
    http = new HttpServer(t.core, { host: "127.0.0.1", token: TOKEN });
    const port = await http.listen(0, "0.0.0.0");
    expect((await get("127.0.0.2", port, "/metrics", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const wrong = await get("127.0.0.2", port, "/metrics", { authorization: `Bearer ${TOKEN.slice(1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect((await get("127.0.0.2", port, "/metrics", { authorization: TOKEN })).status).toBe(401);
    expect((await get("127.0.0.2", port, "/metrics")).status).toBe(401);
  });

  it("when PORT binds elsewhere, opens a second listener on METRICS_HOST with /metrics and /healthz only", async () => {
    t = await makeCore();
    http = new HttpServer(t.core, { host: "127.0.0.3" });
    http.addRoute((req, res) => { if (req.url !== "/slack/events") return false; res.writeHead(200).end("slack"); return true; });
    const port = await http.listen(0, "127.0.0.2");
    expect((await get("127.0.0.2", port, "/metrics")).status).toBe(403);
    expect((await get("127.0.0.2", port, "/slack/events")).body).toBe("slack");
    expect((await get("127.0.0.3", port, "/metrics")).status).toBe(200);
    expect((await get("127.0.0.3", port, "/healthz")).status).toBe(200);
    // Adapters' routes are not on the metrics listener.
    expect((await get("127.0.0.3", port, "/slack/events")).status).toBe(404);
    await http.close();
    await expect(get("127.0.0.3", port, "/metrics")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("METRICS_HOST=0.0.0.0 opens /metrics on every IPv4 address, as asked", async () => {
    t = await makeCore();
    http = new HttpServer(t.core, { host: "0.0.0.0" });
    const port = await http.listen(0, "0.0.0.0");
    expect((await get("127.0.0.2", port, "/metrics")).status).toBe(200);
  });

  it("knows which binds cover which addresses", () => {
    expect(bindCovers("0.0.0.0", "127.0.0.1")).toBe(true);
    expect(bindCovers("0.0.0.0", "::1")).toBe(false);
    expect(bindCovers("::", "::1")).toBe(true);
    expect(bindCovers("127.0.0.2", "127.0.0.1")).toBe(false);
    expect(bindCovers("127.0.0.1", "127.0.0.1")).toBe(true);
  });
});

describe("METRICS_HOST and METRICS_TOKEN settings", () => {
  it("default to 127.0.0.1 and no token; refuse a host name and a short token by name", () => {
    const s = loadSettings({});
    expect([s.METRICS_HOST, s.METRICS_TOKEN]).toEqual(["127.0.0.1", undefined]);
    let problems: string[] = [];
    try { loadSettings({ METRICS_HOST: "localhost", METRICS_TOKEN: "short" }); } catch (e) { problems = (e as ConfigError).problems; }
    expect(problems).toEqual([
      "METRICS_HOST: expected an IP address like 127.0.0.1",
      "METRICS_TOKEN: expected at least 16 characters; generate one with `openssl rand -hex 32`",
    ]);
  });
});

describe("/metrics access, the real bot process", () => {
  it("refuses /metrics from a non-loopback-host address without the token, serves it with the token and on 127.0.0.1", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const bot = startBot({ LABFORGE_DATA_DIR: mkdtempSync(join(tmpdir(), "labforge-metrics-")), METRICS_TOKEN: TOKEN, LOG_LEVEL: "info" });
    try {
      // The console keeps running while stdin is open; the "labforge started" log line carries the port.
      const end = Date.now() + 30_000;
      let port: number | undefined;
      while (port === undefined && Date.now() < end) {
        const m = /"port":(\d+)[^\n]*"msg":"labforge started"/.exec(bot.stderr());
        if (m) port = Number(m[1]);
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(port, bot.stderr()).toBeDefined();
      expect((await get("127.0.0.2", port!, "/metrics")).status).toBe(401);
      const withToken = await get("127.0.0.2", port!, "/metrics", { authorization: `Bearer ${TOKEN}` });
      expect(withToken.status).toBe(200);
      expect(withToken.body).toContain("labforge_commands_total");
      expect((await get("127.0.0.1", port!, "/metrics")).status).toBe(200);
      expect(await get("127.0.0.2", port!, "/healthz")).toMatchObject({ status: 200, body: '{"status":"ok"}' });
      expect(bot.stderr()).not.toContain(TOKEN);
    } finally {
      bot.child.stdin.end();
      await bot.exited;
    }
  });
});
