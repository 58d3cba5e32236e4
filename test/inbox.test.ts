/** The durable inbox: stored before the ack, run once, answered once; what a dead process left runs first after a restart. */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { makeCore, type TestCore } from "./helpers/harness.ts";
import type { Reply } from "../src/kernel/cards.ts";
import { transact } from "../src/db/tx.ts";

let t: TestCore | undefined;
let dataDir: string | undefined;
const secretKey = randomBytes(32);
afterEach(async () => { await t?.close(); t = undefined; if (dataDir) rmSync(dataDir, { recursive: true, force: true }); dataDir = undefined; });

const command = (id: string, text: string, who = "console:dan", respondRef?: string, respondUntil?: number) => ({
  id, kind: "command" as const, input: { actor: { identity: who }, where: { channel: "console:#dsg" }, text }, respondRef, respondUntil,
});

async function rows(core: TestCore) {
  return core.core.app.db.k.selectFrom("inbox").select(["id", "state"]).orderBy("received_at").orderBy("id").execute();
}

describe("the durable inbox", () => {
  it("stores a burst that arrives together, each entry committed before accept resolves; a repeated id is not new", async () => {
    t = await makeCore();
    const accepted = await Promise.all(Array.from({ length: 40 }, (_, i) => t!.core.accept(command(`console:burst-${i}`, `create lab${i + 10}`))));
    expect(accepted.every(Boolean)).toBe(true);
    expect(await rows(t)).toHaveLength(40);
    expect(await t.core.accept(command("console:burst-3", "create other"))).toBe(false);
    await expect(t.core.accept(command("no platform prefix", "list"))).rejects.toThrow(/not an inbox delivery id/);
    await t.crash(); // nobody runs these 40
    t = undefined;
  });

  it("keeps an entry that arrives while a command's transaction is open, even when that transaction rolls back", async () => {
    t = await makeCore();
    const core = t.core;
    let accepted: Promise<boolean> | undefined;
    // A refused create rolls its transaction back; the inbox shares the one SQLite connection with it.
    const result = await transact(core.app.db, async (trx) => {
      await trx.selectFrom("clusters").select("id").execute();
      accepted = core.accept(command("console:during-tx", "list"));
      await new Promise((r) => setTimeout(r, 20));
      return "refused";
    }, () => false);
    expect(result).toBe("refused");
    expect(await accepted).toBe(true);
    expect(await rows(t)).toEqual([{ id: "console:during-tx", state: "received" }]);
  });

  it("runs an entry once and answers once, however often run is called", async () => {
    t = await makeCore();
    await t.core.accept(command("console:once-1", "create lab1"));
    const answers: Reply[] = [];
    const answer = async (r: Reply) => { answers.push(r); };
    const [a, b] = await Promise.all([t.core.run("console:once-1", answer), t.core.run("console:once-1", answer)]);
    const c = await t.core.run("console:once-1", answer);
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.card.title).toBe("lab1 is queued");
    await t.idle();
    expect(await t.core.app.db.k.selectFrom("clusters").select("name").execute()).toEqual([{ name: "lab1" }]);
  });

  it("recovery leaves alone what this process accepted (an adapter accepted it while the core was starting)", async () => {
    t = await makeCore();
    await t.core.accept(command("console:early-1", "create lab7", "console:dan", "console:respond:early", t.clock.now() + 60_000));
    expect(await t.core.inbox.recover()).toBe(0);
    const answers: Reply[] = [];
    await t.core.run("console:early-1", async (r) => { answers.push(r); });
    expect(answers.map((a) => a.card.title)).toEqual(["lab7 is queued"]);
    expect(t.port.late).toEqual([]);
  });

  it("after a crash: acknowledged entries run before new ones, answered through their response channel or else by DM", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-inbox-"));
    const first = await makeCore({ dataDir, secretKey });
    const now = first.clock.now();
    // Acknowledged, then the process died before running them.
    await first.core.accept(command("console:a-1", "create lab1", "console:dan", "console:respond:1", now + 30 * 60_000));
    await first.core.accept(command("console:a-2", "create lab2", "console:dan", "console:respond:2", now + 30 * 60_000));
    await first.core.accept(command("console:a-3", "create lab3", "console:eve", "console:respond:3", now - 1)); // its response window has passed
    await first.crash();

    t = await makeCore({ dataDir, secretKey });
    await t.idle();
    expect((await rows(t)).map((r) => r.state)).toEqual(["answered", "answered", "answered"]);
    expect(t.port.late.map((l) => [l.ref, l.reply.card.title])).toEqual([["console:respond:1", "lab1 is queued"], ["console:respond:2", "lab2 is queued"]]);
    expect(t.port.late[0]!.reply.card.text).toContain("Delayed by a restart");
    const dm = t.port.dmsTo("console:eve").find((s) => s.card.title === "lab3 is queued")!;
    expect(dm.card.text).toContain("This answers /cluster create lab3; the answer was delayed by a restart of labforge.");
    const clusters = await t.core.app.db.k.selectFrom("clusters").select(["name", "state"]).orderBy("created_at").execute();
    expect(clusters).toEqual([{ name: "lab1", state: "ready" }, { name: "lab2", state: "ready" }, { name: "lab3", state: "ready" }]);
  });

  it("after a crash between the core's answer and showing it: shows the stored answer without running the command again", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "labforge-inbox-"));
    const first = await makeCore({ dataDir, secretKey });
    await first.core.accept(command("console:b-1", "create lab1", "console:dan", "console:respond:b", first.clock.now() + 60_000));
    await first.core.run("console:b-1", async () => { throw new Error("the process dies here"); }).catch(() => {});
    // As if the answer never went out: the reply is stored, the entry not answered.
    await first.core.app.db.k.updateTable("inbox").set({ state: "replied", answered_at: null }).execute();
    await first.crash();

    t = await makeCore({ dataDir, secretKey });
    await t.idle();
    expect(t.port.late.map((l) => l.reply.card.title)).toEqual(["lab1 is queued"]);
    const created = await t.core.app.db.k.selectFrom("audit").select("action").where("action", "=", "cluster.create").execute();
    expect(created).toHaveLength(1);
  });
});
