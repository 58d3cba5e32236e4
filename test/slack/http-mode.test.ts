import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeSlack } from "../fakes/slack/fake-slack.ts";
import { blocksText, buttonIds, SECRET, startRig, viewSubmission, waitFor, type SlackRig } from "./helpers.ts";
import { interactionBody, slackSignature } from "../fakes/slack/signing.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

describe("Slack, HTTP mode, real Bolt against the fake Slack", () => {
  it("runs student → instructor → ready → kubeconfig DM; refuses a student's click", async () => {
    rig = await startRig("http");
    const { fake, t } = rig;
    const created = await rig.command("U0BOB", "C0CS401", "create lab3 workers=2");
    expect(created.status).toBe(200);
    const reply = await rig.responseFor(created.responseUrl);
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain("Request #1 sent");
    await t.idle();

    // The request went by DM to the instructor and the TA, with Approve / Reject buttons.
    const opened = fake.callsOf("conversations.open").map((c) => c.args.users).sort();
    expect(opened).toEqual(["U0ADA", "U0TIM"]);
    const card = [...fake.messages.values()].find((m) => m.channel === "DU0ADA")!;
    expect(buttonIds(card.blocks)).toEqual(["lf:approve:1", "lf:reject:1"]);

    const refused = await rig.press("U0CAROL", "DU0CAROL", "lf:approve:1");
    expect(refused.status).toBe(200);
    const refusal = await rig.responseFor(refused.responseUrl);
    expect(refusal.response_type).toBe("ephemeral");
    expect(refusal.text).toContain("Only TAs and instructors of cs401");

    const approved = await rig.press("U0ADA", "DU0ADA", "lf:approve:1");
    expect((await rig.responseFor(approved.responseUrl)).text).toContain("Approved request #1");
    await t.idle();

    // One root message in the course channel, updated in place to Ready; step replies in its thread.
    const roots = [...fake.messages.values()].filter((m) => m.channel === "C0CS401" && !m.thread_ts);
    expect(roots).toHaveLength(1);
    expect(blocksText(roots[0]!.blocks)).toContain("Ready");
    expect(roots[0]!.updates).toBeGreaterThan(0);
    const thread = [...fake.messages.values()].filter((m) => m.thread_ts === roots[0]!.ts);
    expect(blocksText(thread.flatMap((m) => m.blocks ?? []))).toContain("Cloning VMs");
    // The approval cards lost their buttons and say who decided.
    expect(buttonIds(card.blocks)).toEqual([]);
    expect(blocksText(card.blocks)).toContain("Approved by Ada");

    // The kubeconfig went only to Bob's DM, as a file with the right name.
    expect(fake.files.map((f) => [f.channel, f.filename])).toEqual([["DU0BOB", "cs401-lab3.kubeconfig"]]);
    expect(fake.files[0]!.content).toContain("server: https://10.40.16.1:6443");
    expect(fake.files[0]!.comment).toContain("kubectl get nodes");
    const token = /token: (\S+)/.exec(fake.files[0]!.content)![1]!;
    const elsewhere = fake.calls.filter((c) => c.method !== "files.completeUploadExternal" && JSON.stringify(c.args).includes(token));
    expect(elsewhere).toHaveLength(0);
    expect(rig.logs.join("")).not.toContain(token);
    expect(fake.rateLimited).toBe(0);
  });

  it("answers 401 to a forged or stale signature and does nothing", async () => {
    rig = await startRig("http");
    expect((await rig.command("U0BOB", "C0CS401", "create lab3", { signWith: "not-the-secret" })).status).toBe(401);
    expect((await rig.command("U0BOB", "C0CS401", "create lab3", { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    await rig.t.idle();
    expect(await rig.t.core.app.db.k.selectFrom("clusters").selectAll().execute()).toHaveLength(0);
  });

  it("a redelivered command (X-Slack-Retry-Num) creates nothing new", async () => {
    rig = await startRig("http");
    // Slack retries the very same request: same trigger_id, same response_url.
    const first = await rig.command("U0BOB", "C0CS401", "create lab3", { triggerId: "trig-same" });
    const retry = await rig.command("U0BOB", "C0CS401", "create lab3", { triggerId: "trig-same", responseUrl: first.responseUrl, headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } });
    expect(retry.status).toBe(200);
    expect((await rig.responseFor(first.responseUrl)).text).toContain("Request #1 sent");
    await rig.t.idle();
    expect(await rig.t.core.app.db.k.selectFrom("requests").selectAll().execute()).toHaveLength(1);
    // Answered once: the redelivery is acknowledged and otherwise ignored.
    const id = first.responseUrl.slice(first.responseUrl.lastIndexOf("/") + 1);
    expect(rig.fake.responses.filter((r) => r.id === id)).toHaveLength(1);
  });

  it("a command shows 'working on it' at once, the answer replaces it, and an answer sent again after a crash replaces that: one message", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "labforge-slack-once-"));
    const fake = new FakeSlack({ rateScale: 20 });
    await fake.start();
    const secretKey = randomBytes(32);
    try {
      rig = await startRig("http", { dataDir, fake, secretKey });
      const sent = await rig.command("U0BOB", "C0CS401", "create lab3 <b>");
      expect(sent.ack).toEqual({ response_type: "ephemeral", text: "Working on `/cluster create lab3 &lt;b&gt;` …" });
      const first = await rig.responseFor(sent.responseUrl);
      expect(first).toMatchObject({ response_type: "ephemeral", replace_original: true });
      expect(fake.seen(sent.responseUrl, sent.ack)).toEqual([first]);
      const state = () => rig.t.core.app.db.k.selectFrom("inbox").select("state").executeTakeFirstOrThrow();
      while ((await state()).state !== "answered") await new Promise((r) => setTimeout(r, 10));
      // As if the process had died after the answer went out but before it was recorded as answered.
      await rig.t.core.app.db.k.updateTable("inbox").set({ state: "replied", answered_at: null }).execute();
      await rig.t.crash();
      await rig.slack.stop();
      await rig.http.close();

      rig = await startRig("http", { dataDir, fake, secretKey });
      await rig.t.idle();
      const id = sent.responseUrl.slice(sent.responseUrl.lastIndexOf("/") + 1);
      expect(fake.responses.filter((r) => r.id === id)).toHaveLength(2);
      const seen = fake.seen(sent.responseUrl, sent.ack) as { text: string }[];
      expect(seen).toHaveLength(1);
      expect(seen[0]!.text).toContain("Delayed by a restart");
      expect(await rig.t.core.app.db.k.selectFrom("inbox").select("state").execute()).toEqual([{ state: "answered" }]);
    } finally {
      await rig.close();
      rig = undefined as never;
      await fake.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("answers a bare /cluster from someone who may create nothing privately, without a form", async () => {
    rig = await startRig("http");
    await rig.command("U0ZED", "C0CS401", "");
    const shown = await waitFor(() => rig.fake.callsOf("chat.postEphemeral")[0], "the ephemeral answer");
    expect(shown.args).toMatchObject({ channel: "C0CS401", user: "U0ZED" });
    expect(String(shown.args.text)).toContain("slack:U0ZED");
    expect(rig.fake.callsOf("views.open")).toHaveLength(0);
    expect(await rig.t.core.app.db.k.selectFrom("clusters").selectAll().execute()).toHaveLength(0);
  });

  it("opens the create modal for a bare /cluster and submits the same command", async () => {
    rig = await startRig("http");
    await rig.command("U0BOB", "C0CS401", "");
    const open = await waitFor(() => rig.fake.callsOf("views.open")[0], "views.open");
    const view = open.args.view as any;
    expect(view.callback_id).toBe("lf_create");
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(["name", "workers", "size", "ttl", "tenant"]);
    expect(view.blocks[4].element.initial_option.value).toBe("cs401");

    const submit = async (values: Record<string, string>) => {
      const body = interactionBody(viewSubmission("U0BOB", "C0CS401", values));
      const res = await fetch(rig.url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...slackSignature(SECRET, body) } });
      return { status: res.status, text: await res.text() };
    };
    // A bad lifetime comes back as an error on that field, and nothing is created.
    const bad = await submit({ name: "lab3", workers: "1", size: "small", ttl: "forever", tenant: "cs401" });
    expect(JSON.parse(bad.text)).toMatchObject({ response_action: "errors", errors: { ttl: expect.stringContaining("duration") } });
    const ok = await submit({ name: "lab3", workers: "2", size: "medium", ttl: "7d", tenant: "cs401" });
    expect(ok.status).toBe(200);
    await waitFor(() => rig.fake.callsOf("chat.postEphemeral")[0], "the ephemeral reply");
    const c = await rig.t.core.app.db.k.selectFrom("clusters").selectAll().executeTakeFirstOrThrow();
    expect(c).toMatchObject({ name: "lab3", workers: 2, size: "medium", ttl_ms: 7 * 86_400_000, channel: "slack:C0CS401", owner: "slack:U0BOB" });
  });
});
