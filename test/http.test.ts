import { afterEach, describe, expect, it } from "vitest";
import { makeCore, type TestCore } from "./helpers/harness.ts";
import { HttpServer } from "../src/http/server.ts";

let t: TestCore;
let http: HttpServer;
afterEach(async () => { await http?.close(); await t?.close(); });

describe("HTTP", () => {
  it("answers /healthz with ok only, and /metrics on loopback in Prometheus format", async () => {
    t = await makeCore();
    http = new HttpServer(t.core);
    const port = await http.listen(0, "127.0.0.1");
    await t.cmd("console:dan", "create exp1", "console:#dsg");
    await t.idle();
    await t.cmd("console:bob", "create Lab3");

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/labforge_jobs\{state="queued"\} 0/);
    expect(metrics).toContain("labforge_queue_depth 0");
    expect(metrics).toMatch(/labforge_step_duration_seconds_count\{step="apply",driver="simulated",outcome="ok"\} 1/);
    expect(metrics).toMatch(/labforge_chat_api_calls_total\{platform="console",method="dm"\} 1/);
    expect(metrics).toMatch(/labforge_commands_total\{command="create",outcome="ok"\} 1/);
    expect(metrics).toMatch(/labforge_commands_total\{command="create",outcome="failure"\} 1/);
    expect(metrics).toContain("labforge_chat_rate_limit_waits_total");

    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it("reports 503 when the database is gone", async () => {
    t = await makeCore();
    http = new HttpServer(t.core);
    const port = await http.listen(0, "127.0.0.1");
    t.core.app.db.sqlite.close();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "not ok" });
    // Reopen nothing: close() of the harness must cope with a closed handle.
    t.close = async () => {};
  });
});
