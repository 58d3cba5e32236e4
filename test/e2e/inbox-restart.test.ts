/**
 * Nothing acknowledged is lost, through the real bot process in Slack's HTTP mode: 30 students create at once, and
 * the bot is SIGKILLed the moment the last 200 OK arrives, or sent SIGTERM (the graceful stop) the moment half of
 * them have arrived; what it did not acknowledge is sent again, as Slack retries, to the restarted bot. Then all 30
 * clusters exist and reach Ready, and each student sees exactly one answer: the acknowledgement shows "working on
 * it", the answer replaces that, and an answer sent again after the restart (one on its way when the kill came)
 * replaces the first instead of showing twice. And chat a crash kept from landing is sent by the restarted bot: the
 * root message's current state, the thread replies.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { FakeSlack, type Message } from "../fakes/slack/fake-slack.ts";
import { slackSignature, slashCommandBody } from "../fakes/slack/signing.ts";
import { blocksText, waitFor } from "../slack/helpers.ts";
import { startBot, type BotProcess } from "../helpers/bot-process.ts";

const SECRET = "inbox-signing-secret-0123456789abcdef";
const STUDENTS = Array.from({ length: 30 }, (_, i) => `U0S${String(i + 1).padStart(2, "0")}`);

let slack: FakeSlack | undefined;
let dir: string | undefined;
const bots: BotProcess[] = [];
afterEach(async () => {
  for (const b of bots.splice(0)) if (b.child.exitCode === null) { b.child.kill("SIGKILL"); await b.exited; }
  await slack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function config(): Record<string, unknown> {
  return {
    tenants: { lab: { name: "Lab", channels: ["slack:C0LAB"], approvals: "none", limits: { max_workers: 1, per_user_clusters: 1 } } },
    members: STUDENTS.map((u) => ({ identities: [`slack:${u}`], roles: { lab: "student" } })),
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"] },
    infra: { driver: "simulated", simulated: { step_ms: 30 } },
  };
}

async function startSlackBot(env: Record<string, string>): Promise<{ bot: BotProcess; url: string }> {
  const bot = startBot({ ...env, LOG_LEVEL: "info" });
  bots.push(bot);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = bot.stderr().split("\n").find((l) => l.includes('"labforge started"'));
    if (line) return { bot, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/slack/events` };
    if (bot.child.exitCode !== null || Date.now() > deadline) throw new Error(`the bot did not start:\n${bot.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readDb<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try { return db.prepare(sql).all() as T[]; } finally { db.close(); }
}

interface Sent { body: string; status: number; ack: { text?: string } }

/**
 * Sends the 30 creates at once and sends `signal` to the bot the moment `signalAfter` of them were answered 200;
 * resolves with the response_url, the request body and the answer (0: no answer, the connection closed) of each.
 */
async function burst(s: FakeSlack, url: string, bot: BotProcess, signal: NodeJS.Signals, signalAfter: number): Promise<{ urls: string[]; sent: Sent[] }> {
  const urls = STUDENTS.map(() => s.responseUrl());
  let acked = 0;
  const sent = await Promise.all(STUDENTS.map(async (u, i): Promise<Sent> => {
    const body = slashCommandBody({ user_id: u, channel_id: "C0LAB", text: `create lab-${u.toLowerCase()} workers=0`, trigger_id: `trig-burst-${u}`, response_url: urls[i]! });
    const answer = await send(url, body).catch((): Sent => ({ body, status: 0, ack: {} }));
    if (answer.status === 200 && ++acked === signalAfter) bot.child.kill(signal);
    return answer;
  }));
  return { urls, sent };
}

/** Posts one signed command; resolves with its HTTP status and the acknowledgement's body (when it was a 200). */
async function send(url: string, body: string, headers: Record<string, string> = {}): Promise<Sent> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers, ...slackSignature(SECRET, body) } });
  const text = await res.text();
  return { body, status: res.status, ack: (res.status === 200 && text ? JSON.parse(text) : {}) as { text?: string } };
}

/** Sends a command again as Slack retries one it saw no 200 for: the same request, with X-Slack-Retry-Num. */
function retry(url: string, body: string): Promise<Sent> {
  return send(url, body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_error" });
}

async function everyoneReady(s: FakeSlack, dbFile: string, urls: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = readDb<{ n: number }>(dbFile, "select count(*) as n from clusters where state = 'ready'")[0]!.n;
    const answered = new Set(s.responses.map((r) => r.id));
    if (ready === 30 && urls.every((u) => answered.has(u.slice(u.lastIndexOf("/") + 1))) && s.files.length >= 30) return;
    if (Date.now() > deadline) throw new Error(`after the restart: ${ready} of 30 ready, ${urls.filter((u) => answered.has(u.slice(u.lastIndexOf("/") + 1))).length} of 30 answered, ${s.files.length} kubeconfigs`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fake Slack, a data dir with the lab's config, and the bot's environment for both. */
async function setUp(): Promise<{ s: FakeSlack; env: Record<string, string>; dbFile: string }> {
  const s = slack = new FakeSlack({ rateScale: 20 });
  await s.start();
  const d = dir = mkdtempSync(join(tmpdir(), "labforge-inbox-e2e-"));
  const configFile = join(d, "labforge.yaml");
  writeFileSync(configFile, JSON.stringify(config()));
  const env = {
    LABFORGE_DATA_DIR: join(d, "data"), LABFORGE_CONFIG: configFile, SLACK_MODE: "http", SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: s.botToken, SLACK_API_URL: s.apiUrl,
  };
  return { s, env, dbFile: join(d, "data", "labforge.db") };
}

async function scenario(signal: "SIGKILL" | "SIGTERM", signalAfter: number) {
  const { s, env, dbFile } = await setUp();
  const first = await startSlackBot(env);
  const { urls, sent } = await burst(s, first.url, first.bot, signal, signalAfter);
  const code = await first.bot.exited;
  const second = await startSlackBot(env);
  const refused = sent.filter((x) => x.status !== 200).length;
  const acks = await Promise.all(sent.map(async (x) => (x.status === 200 ? x : await retry(second.url, x.body))));
  expect(acks.map((a) => a.status)).toEqual(STUDENTS.map(() => 200));
  await everyoneReady(s, dbFile, urls);
  // What each student sees: their acknowledgement's "working on it", then whatever the response_url made of it.
  const seen = urls.map((u, i) => s.seen(u, acks[i]!.ack).map((m) => JSON.stringify(m)));
  const sentTwice = urls.filter((u) => s.responses.filter((r) => u.endsWith(`/${r.id}`)).length > 1).length;
  const clusters = readDb<{ owner: string }>(dbFile, "select owner from clusters order by owner");
  second.bot.child.kill("SIGTERM");
  expect(await second.bot.exited).toBe(0);
  return { code, acks: acks.map((a) => a.ack), refused, seen, sentTwice, clusters, firstLog: first.bot.stderr() };
}

/** Every student saw exactly one message, their cluster's answer (not the acknowledgement's "working on it"). */
function answeredOnce(r: Awaited<ReturnType<typeof scenario>>): void {
  expect(r.acks.every((a) => a.text?.startsWith("Working on `/cluster create lab-"))).toBe(true);
  expect(r.seen.map((m) => m.length)).toEqual(STUDENTS.map(() => 1));
  for (const [i, [message]] of r.seen.entries()) {
    expect(message).not.toContain("Working on");
    expect(message).toContain(`lab-${STUDENTS[i]!.toLowerCase()}`);
  }
}

describe("the inbox through the real process", () => {
  it("SIGKILL right after the last ack of a 30-command burst: all 30 clusters exist, reach Ready, everyone is answered", async () => {
    const r = await scenario("SIGKILL", 30);
    expect(r.code).toBeNull(); // killed, not exited
    expect(r.refused).toBe(0);
    expect(r.clusters.map((c) => c.owner)).toEqual(STUDENTS.map((u) => `slack:${u}`));
    answeredOnce(r);
    if (process.env.LABFORGE_REPORT) console.log(`after the SIGKILL: ${r.seen.filter(([m]) => m!.includes("Delayed by a restart")).length} of 30 answered after the restart, ${r.sentTwice} sent twice (the second replacing the first)`);
  }, 150_000);

  it("SIGTERM in the middle of the burst: the stopping bot answers all it acknowledged and exits 0; Slack's retries of the rest reach the next one; nothing is lost, each answered once", async () => {
    const r = await scenario("SIGTERM", 15);
    expect(r.code).toBe(0);
    expect(r.firstLog).toContain('"stopped"');
    expect(r.clusters).toHaveLength(30);
    answeredOnce(r);
    expect(r.sentTwice).toBe(0);
    // Finished, not left for the restart: nothing it acknowledged is answered late.
    expect(r.seen.filter(([m]) => m!.includes("Delayed by a restart"))).toEqual([]);
    if (process.env.LABFORGE_REPORT) console.log(`SIGTERM after 15 acks: ${30 - r.refused} acknowledged and answered by the stopping bot, ${r.refused} refused and retried to the next`);
  }, 150_000);
});

/**
 * One student's cluster through a bot whose chat traffic the fake holds back (`hold`, from the start or once the
 * root message is posted), SIGKILLed once the cluster is ready and its kubeconfig DMed.
 */
async function killWhileHeld(hold: { fromStart?: (s: FakeSlack) => void; afterRoot?: (s: FakeSlack) => void }): Promise<{ s: FakeSlack; root: Message; restart: () => Promise<BotProcess> }> {
  const { s, env, dbFile } = await setUp();
  hold.fromStart?.(s);
  const first = await startSlackBot(env);
  const body = slashCommandBody({ user_id: STUDENTS[0]!, channel_id: "C0LAB", text: "create lab1 workers=0", trigger_id: "trig-root", response_url: s.responseUrl() });
  expect((await send(first.url, body)).status).toBe(200);
  const root = await eventually(() => [...s.messages.values()].find((m) => m.channel === "C0LAB" && !m.thread_ts), "the root message");
  hold.afterRoot?.(s);
  await eventually(() => readDb<{ state: string }>(dbFile, "select state from clusters")[0]?.state === "ready" && s.files.length === 1, "lab1 ready and DMed");
  first.bot.child.kill("SIGKILL");
  await first.bot.exited;
  return { s, root, restart: async () => (await startSlackBot(env)).bot };
}

/** Polls for up to 30 s. */
const eventually = <T>(probe: () => T | undefined | false, what: string) => waitFor(probe, what, 30_000);

const READY = '"*State*\\nReady';

describe("chat a crash held back, through the real process", () => {
  it("a root message whose updates never landed (chat.update failing, then SIGKILL) shows Ready after the restart", async () => {
    const { s, root, restart } = await killWhileHeld({ fromStart: (f) => f.failNext("chat.update", "internal_error", 10_000) });
    expect(blocksText(root.blocks)).not.toContain(READY);
    expect(root.updates).toBe(0);
    s.heal("chat.update");
    const second = await restart();
    await eventually(() => blocksText(root.blocks).includes(READY), "the root message to show Ready");
    expect(root.updates).toBe(1);
    // No second root message, and no second kubeconfig.
    expect([...s.messages.values()].filter((m) => m.channel === "C0LAB" && !m.thread_ts)).toHaveLength(1);
    expect(s.files).toHaveLength(1);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 90_000);

  it("thread replies held behind a 429 at the SIGKILL reach the thread after the restart, each step once", async () => {
    // The root message is a chat.postMessage too: hold back only what comes after it.
    const { s, root, restart } = await killWhileHeld({ afterRoot: (f) => f.rateLimitNext("chat.postMessage", 60, 100) });
    s.heal("chat.postMessage");
    const second = await restart();
    const thread = () => [...s.messages.values()].filter((m) => m.thread_ts === root.ts).map((m) => blocksText(m.blocks)).join("\n");
    await eventually(() => thread().includes("Sending kubeconfig"), "the last step in the thread");
    for (const step of ["Preparing workspace", "Cloning VMs", "Waiting for SSH", "Installing Kubernetes", "Fetching kubeconfig", "Sending kubeconfig"]) {
      expect(thread().split(`✓ ${step}`).length - 1, step).toBe(1);
    }
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 90_000);
});
