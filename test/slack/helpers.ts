/** A real core, the real Bolt app (HTTP or Socket Mode) and the fake Slack, wired together for end-to-end tests. */
import { HttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/log.ts";
import { createMetrics } from "../../src/metrics.ts";
import { Redactor } from "../../src/util/redact.ts";
import { startSlack, type RunningSlack } from "../../adapters/slack/start.ts";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { interactionBody, slackSignature, slashCommandBody } from "../fakes/slack/signing.ts";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import type { Clock } from "../../src/util/clock.ts";

export const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

/** The harness's department with Slack identities and channels. */
export function slackConfig(extraStudents = 0): Record<string, unknown> {
  return {
    admins: ["slack:U0ROOT"],
    tenants: {
      cs401: { name: "CS401", channels: ["slack:C0CS401"], approvals: "students", limits: { max_workers: 3, per_user_clusters: 1 } },
      dsg: { name: "DSG", channels: ["slack:C0DSG"], approvals: "none", approval_channel: "slack:C0STAFF", limits: { max_workers: 2, per_user_clusters: 1 } },
    },
    members: [
      { name: "Ada", identities: ["slack:U0ADA"], roles: { cs401: "instructor", dsg: "instructor" } },
      { name: "Tim", identities: ["slack:U0TIM"], roles: { cs401: "ta" } },
      { name: "Bob", identities: ["slack:U0BOB"], roles: { cs401: "student" } },
      { name: "Carol", identities: ["slack:U0CAROL"], roles: { cs401: "student" } },
      ...Array.from({ length: extraStudents }, (_, i) => ({ identities: [`slack:U0S${i}`], roles: { dsg: "student" } })),
    ],
    network: { pool: "10.40.16.1-10.40.19.250", prefix: 22, gateway: "10.40.19.254" },
    infra: { driver: "simulated", simulated: { step_ms: 0 } },
  };
}

export interface SlackRig {
  t: TestCore;
  fake: FakeSlack;
  slack: RunningSlack;
  http: HttpServer;
  url: string;
  logs: string[];
  /** Sends a signed slash command in HTTP mode; resolves with the HTTP status and the acknowledgement's body. */
  command(user: string, channel: string, text: string, opts?: { triggerId?: string; responseUrl?: string; headers?: Record<string, string>; signWith?: string; timestamp?: number }): Promise<{ status: number; responseUrl: string; ack: any }>;
  /** Presses a button in HTTP mode. */
  press(user: string, channel: string, actionId: string, opts?: { triggerId?: string }): Promise<{ status: number; responseUrl: string }>;
  /** The response_url answer for a command or press, once it arrived. */
  responseFor(url: string): Promise<any>;
  close(): Promise<void>;
}

let triggers = 0;

/**
 * Starts everything; `mode` picks the receiver. With `dataDir` and `fake` (kept running on close) a second rig is
 * the restart of the first; the core starts once Slack is plugged in, as in main.ts.
 */
export async function startRig(mode: "http" | "socket", opts: { config?: Record<string, unknown>; rateScale?: number; clock?: Clock; dataDir?: string; fake?: FakeSlack; secretKey?: Buffer } = {}): Promise<SlackRig> {
  const fake = opts.fake ?? new FakeSlack({ rateScale: opts.rateScale ?? 20 });
  if (!opts.fake) await fake.start();
  const t = await makeCore({ config: opts.config ?? slackConfig(), clock: opts.clock, dataDir: opts.dataDir, secretKey: opts.secretKey, start: false });
  const http = new HttpServer(t.core);
  const port = await http.listen(0, "127.0.0.1");
  const redactor = new Redactor();
  redactor.add(fake.botToken, fake.appToken, SECRET);
  const logs: string[] = [];
  const log = createLogger("info", redactor, { write: (s: string) => { logs.push(s); } } as never);
  const settings = mode === "http"
    ? { mode, botToken: fake.botToken, signingSecret: SECRET, apiUrl: fake.apiUrl } as const
    : { mode, botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl } as const;
  const slack = await startSlack({ core: t.core, settings, http, log, metrics: createMetrics(false), rateScale: opts.rateScale ?? 20 });
  await t.core.start();
  const url = `http://127.0.0.1:${port}/slack/events`;

  const send = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
  const post = async (body: string, headers: Record<string, string>) => (await send(body, headers)).status;

  return {
    t, fake, slack, http, url, logs,
    async command(user, channel, text, o = {}) {
      const responseUrl = o.responseUrl ?? fake.responseUrl();
      const body = slashCommandBody({ user_id: user, channel_id: channel, text, trigger_id: o.triggerId ?? `trig-${++triggers}`, response_url: responseUrl });
      const res = await send(body, { ...slackSignature(o.signWith ?? SECRET, body, o.timestamp), ...o.headers });
      const raw = await res.text();
      return { status: res.status, responseUrl, ack: res.ok && raw ? JSON.parse(raw) : undefined };
    },
    async press(user, channel, actionId, o = {}) {
      const responseUrl = fake.responseUrl();
      const body = interactionBody(blockAction(user, channel, actionId, o.triggerId ?? `trig-${++triggers}`, responseUrl));
      const status = await post(body, slackSignature(SECRET, body));
      return { status, responseUrl };
    },
    async responseFor(responseUrl) {
      const id = responseUrl.slice(responseUrl.lastIndexOf("/") + 1);
      for (let i = 0; i < 500; i++) {
        const r = fake.responses.find((x) => x.id === id);
        if (r) return r.body;
        await new Promise((res) => setTimeout(res, 10));
      }
      throw new Error(`no response at ${responseUrl}`);
    },
    async close() {
      await slack.stop();
      await http.close();
      await t.close();
      if (!opts.fake) await fake.stop();
    },
  };
}

/** A block_actions payload for one button press. */
export function blockAction(user: string, channel: string, actionId: string, triggerId: string, responseUrl: string) {
  const value = actionId.split(":").slice(2).join(":");
  return {
    type: "block_actions", team: { id: "T0LABFORGE", domain: "dept" }, user: { id: user, username: user.toLowerCase(), team_id: "T0LABFORGE" },
    api_app_id: "A0LABFORGE", token: "legacy", trigger_id: triggerId, response_url: responseUrl,
    container: { type: "message", message_ts: "1.000001", channel_id: channel, is_ephemeral: false }, channel: { id: channel, name: "x" },
    actions: [{ type: "button", action_id: actionId, block_id: "b1", value, text: { type: "plain_text", text: "x" }, action_ts: `${Date.now() / 1000}` }],
  };
}

/** Polls until `probe` returns something (the Slack adapter works after it acknowledges). */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A view_submission payload for the create modal. */
export function viewSubmission(user: string, channel: string, values: Record<string, string>) {
  const state: Record<string, any> = {};
  for (const [k, v] of Object.entries(values)) {
    state[k] = { value: k === "name" || k === "ttl" ? { type: "plain_text_input", value: v } : { type: "static_select", selected_option: { value: v } } };
  }
  return {
    type: "view_submission", team: { id: "T0LABFORGE" }, user: { id: user, team_id: "T0LABFORGE" }, api_app_id: "A0LABFORGE", token: "legacy",
    trigger_id: `trig-view-${Date.now()}`,
    view: { id: `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`, hash: "h1", callback_id: "lf_create", type: "modal", private_metadata: JSON.stringify({ channel: `slack:${channel}` }), state: { values: state } },
  };
}

/** All text inside a Block Kit payload, for assertions. */
export function blocksText(blocks: any[] | undefined): string {
  return JSON.stringify(blocks ?? []);
}

/** The action ids of the buttons in a message's blocks. */
export function buttonIds(blocks: any[] | undefined): string[] {
  return (blocks ?? []).filter((b) => b.type === "actions").flatMap((b) => b.elements.map((e: any) => e.action_id));
}
