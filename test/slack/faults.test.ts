import { afterEach, describe, expect, it } from "vitest";
import { blocksText, startRig, type SlackRig } from "./helpers.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

describe("Slack faults", () => {
  it("honours a 429's Retry-After and loses nothing", async () => {
    rig = await startRig("http");
    const { fake, t } = rig;
    fake.rateLimitNext("chat.postMessage", 1);
    fake.rateLimitNext("files.completeUploadExternal", 1);
    const r = await rig.command("U0ADA", "C0DSG", "create exp1");
    expect((await rig.responseFor(r.responseUrl)).text).toContain("queued");
    await t.idle();
    const posts = fake.callsOf("chat.postMessage");
    expect(posts[0]!.status).toBe(429);
    // The retry came after the Retry-After second, and the root message and the file both arrived.
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
    const root = [...fake.messages.values()].find((m) => m.channel === "C0DSG" && !m.thread_ts)!;
    expect(blocksText(root.blocks)).toContain("Ready");
    expect(fake.files.map((f) => f.filename)).toEqual(["dsg-exp1.kubeconfig"]);
  });

  it("a failed chat call is logged, never crashes the run, and the cluster still becomes ready", async () => {
    rig = await startRig("http");
    const { fake, t } = rig;
    fake.failNext("chat.update", "internal_error", 2);
    await rig.command("U0ADA", "C0DSG", "create exp1");
    await t.idle();
    expect((await t.core.app.db.k.selectFrom("clusters").select("state").executeTakeFirstOrThrow()).state).toBe("ready");
    expect(t.logs.join("")).toContain("chat update failed");
    expect(fake.files).toHaveLength(1);
  });

  it("a DM that keeps failing is tried again, then the owner is told in the channel; the cluster stays", async () => {
    rig = await startRig("http");
    const { fake, t } = rig;
    fake.failNext("conversations.open", "internal_error", 3);
    await rig.command("U0ADA", "C0DSG", "create exp1");
    await t.idle();
    const c = await t.core.app.db.k.selectFrom("clusters").selectAll().executeTakeFirstOrThrow();
    expect(c.state).toBe("ready");
    expect(fake.callsOf("conversations.open")).toHaveLength(3);
    const notice = [...fake.messages.values()].find((m) => m.channel === "C0DSG" && blocksText(m.blocks).includes("could not be sent"));
    expect(blocksText(notice?.blocks)).toContain("/cluster kubeconfig exp1");
    expect(fake.files).toHaveLength(0);
  });

  it("a DM that fails once is delivered on the next try", async () => {
    rig = await startRig("http");
    const { fake, t } = rig;
    fake.failNext("conversations.open", "internal_error", 1);
    await rig.command("U0ADA", "C0DSG", "create exp1");
    await t.idle();
    expect(fake.files.map((f) => f.channel)).toEqual(["DU0ADA"]);
  });
});
