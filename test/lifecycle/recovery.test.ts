/** What a restart finds half done is finished once: a delivery that was being sent, a root message never posted or left stale. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { readyCluster, row } from "./helpers.ts";

let t: TestCore | undefined;
let dataDir: string;
const secretKey = randomBytes(32);
afterEach(async () => { await t?.close(); rmSync(dataDir, { recursive: true, force: true }); });

/** A ready cluster whose delivery job looks as a crash left it: running under a dead worker, at `lastStep`. */
async function crashedDelivery(lastStep: string | null): Promise<TestCore> {
  dataDir = mkdtempSync(join(tmpdir(), "labforge-recovery-"));
  const first = await makeCore({ dataDir, secretKey });
  await readyCluster(first, "console:dan", "lab1", { tenant: "dsg" });
  await first.core.app.db.k.updateTable("jobs").set({ state: "running", locked_by: "worker-dead", last_step: lastStep, finished_at: null })
    .where("kind", "=", "deliver").execute();
  await first.close();
  const second = await makeCore({ dataDir, secretKey });
  await second.idle();
  return second;
}

/** Starts a core on a fresh data dir, to be crashed or closed and started again. */
async function firstCore(): Promise<TestCore> {
  dataDir = mkdtempSync(join(tmpdir(), "labforge-recovery-"));
  return makeCore({ dataDir, secretKey });
}

/** Starts the core again on the same data dir and lets it finish what it recovers. */
async function restarted(): Promise<TestCore> {
  const c = await makeCore({ dataDir, secretKey });
  await c.idle();
  return c;
}

/** The platform refuses every update from now on (Slack down for chat.update). */
function updatesFail(c: TestCore): void {
  c.port.update = async () => { throw new Error("chat.update: service unavailable"); };
}

function kubeconfigDms(c: TestCore) {
  return c.port.sent.filter((s) => s.kind === "dm" && s.file?.filename === "dsg-lab1.kubeconfig");
}

describe("recovery after a crash", () => {
  it("a DM that was being sent goes out once more, labelled as sent again after a restart", async () => {
    t = await crashedDelivery("sending");
    const dms = kubeconfigDms(t);
    expect(dms).toHaveLength(1);
    expect(dms[0]!.card.text).toContain("Sent again after a restart");
    const job = await t.core.app.db.k.selectFrom("jobs").select(["state", "last_step", "attempts"]).where("kind", "=", "deliver").executeTakeFirstOrThrow();
    expect(job).toEqual({ state: "succeeded", last_step: "sent", attempts: 2 });
  });

  it("a DM that was already sent again is never sent a third time; the owner is told in the channel", async () => {
    t = await crashedDelivery("resending");
    expect(kubeconfigDms(t)).toEqual([]);
    const note = t.port.sent.find((s) => s.kind === "post" && s.card.title.includes("could not be sent"))!;
    expect(note.card.text).toContain("restarted twice");
    expect(note.target).toBe("console:#dsg");
  });

  it("a DM recorded as sent is not sent again", async () => {
    t = await crashedDelivery("sent");
    expect(kubeconfigDms(t)).toEqual([]);
  });

  it("a cluster whose root message was never posted gets one on start", async () => {
    const first = await firstCore();
    await readyCluster(first, "console:dan", "lab1", { tenant: "dsg" });
    await first.core.app.db.k.updateTable("clusters").set({ root_ref: null }).execute();
    await first.close();
    t = await restarted();
    const posts = t.port.sent.filter((s) => s.kind === "post" && s.card.title === "lab1 · dsg");
    expect(posts).toHaveLength(1);
    expect((await row(t, "lab1")).root_ref).toBe(posts[0]!.ref);
  });

  it("a root message whose updates never landed shows the current card after a restart, once; an up-to-date one is left alone", async () => {
    const first = await firstCore();
    // Slack is down for updates from the moment the root message is posted: every later state is lost with the process.
    updatesFail(first);
    await readyCluster(first, "console:dan", "lab1", { tenant: "dsg" });
    const root = first.port.sent.find((s) => s.kind === "post" && s.card.title === "lab1 · dsg")!;
    expect(root.card.fields?.find((f) => f.label === "State")?.value).not.toBe("Ready");
    await first.close();

    const second = await restarted();
    const updates = second.port.sent.filter((s) => s.kind === "update");
    expect(updates.map((u) => u.target)).toEqual([root.ref]);
    expect(updates[0]!.card.fields?.find((f) => f.label === "State")?.value).toBe("Ready");
    expect(second.port.sent.filter((s) => s.kind === "post")).toEqual([]);
    await second.close();

    t = await restarted();
    expect(t.port.sent).toEqual([]);
  });

  it("a class session's message whose updates never landed shows the current counts after a restart, once", async () => {
    const first = await firstCore();
    updatesFail(first);
    expect((await first.cmd("console:ada", "class create lab5 workers=0 for=console:bob,console:carol")).code).toBeUndefined();
    await first.idle();
    const root = first.port.sent.find((m) => m.kind === "post" && m.card.title.startsWith("Class session lab5"))!;
    expect(root.card.title).toBe("Class session lab5 · cs401: 0 / 2 ready");
    await first.close();

    const second = await restarted();
    expect(second.port.sent.map((m) => `${m.kind} ${m.target} ${m.card.title}`)).toEqual([`update ${root.ref} Class session lab5 · cs401: 2 / 2 ready`]);
    await second.close();

    t = await restarted();
    expect(t.port.sent).toEqual([]);
  });

  it("thread replies still waiting for the platform at a crash are sent after the restart, in order, once", async () => {
    const first = await firstCore();
    // Every thread reply waits behind the platform's limits and is still waiting when the process dies.
    first.port.replyInThread = () => new Promise<string>(() => undefined);
    expect((await first.cmd("console:dan", "create lab1", "console:#dsg")).code).toBeUndefined();
    await first.core.app.jobs.whenIdle();
    const saved = await first.core.app.db.k.selectFrom("pending_chat").select("card").where("kind", "=", "thread").orderBy("id").execute();
    const titles = saved.map((r) => (JSON.parse(r.card) as { title: string }).title);
    expect(titles).toContain("✓ Installing Kubernetes");
    expect(titles.at(-1)).toBe("✓ Sending kubeconfig");
    await first.crash();

    const second = await restarted();
    const root = (await row(second, "lab1")).root_ref;
    const thread = second.port.sent.filter((s) => s.kind === "thread");
    expect(thread.map((s) => s.card.title)).toEqual(titles);
    expect(thread.every((s) => s.target === root)).toBe(true);
    expect(await second.core.app.db.k.selectFrom("pending_chat").selectAll().execute()).toEqual([]);
    await second.close();

    t = await restarted();
    expect(t.port.sent.filter((s) => s.kind === "thread")).toEqual([]);
  });

  it("a DM notice still waiting for the platform at a crash is sent after the restart, once", async () => {
    const first = await firstCore();
    expect((await first.cmd("console:bob", "create lab1")).code).toBeUndefined();
    await first.idle();
    first.port.dm = () => new Promise<string>(() => undefined); // conversations.open is over its limit
    expect((await first.cmd("console:ada", "reject 1 use the shared cluster")).code).toBeUndefined();
    expect(await first.core.app.db.k.selectFrom("pending_chat").select(["kind", "target"]).execute()).toEqual([{ kind: "dm", target: "console:bob" }]);
    await first.crash();

    t = await restarted();
    expect(t.port.dmsTo("console:bob").map((d) => `${d.card.title}: ${d.card.text}`)).toEqual(["lab1 was rejected: Ada (console:ada) rejected your request #1: use the shared cluster"]);
    expect(await t.core.app.db.k.selectFrom("pending_chat").selectAll().execute()).toEqual([]);
  });

  it("approval cards whose update after the decision never landed lose their buttons after a restart, once", async () => {
    const first = await firstCore();
    expect((await first.cmd("console:bob", "create lab1")).code).toBeUndefined();
    await first.idle();
    const cards = first.port.sent.filter((s) => s.kind === "dm" && s.card.title === "Cluster request #1: lab1 · cs401");
    expect(cards.map((c) => c.target)).toEqual(["console:ada", "console:tim"]);
    expect(cards.every((c) => c.card.buttons?.length)).toBe(true);
    updatesFail(first);
    expect((await first.cmd("console:ada", "approve lab1")).code).toBeUndefined();
    await first.idle();
    await first.crash();

    const second = await restarted();
    const updated = second.port.sent.filter((s) => s.kind === "update" && s.card.title === "Cluster request #1: lab1 · cs401");
    expect(updated.map((u) => u.target)).toEqual(cards.map((c) => c.ref));
    expect(updated.every((u) => !u.card.buttons && u.card.text?.startsWith("Approved by Ada"))).toBe(true);
    await second.close();

    t = await restarted();
    expect(t.port.sent).toEqual([]);
  });
});
