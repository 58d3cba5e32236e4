import { afterEach, describe, expect, it } from "vitest";
import { blocksText, slackConfig, startRig, type SlackRig } from "./helpers.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

describe("Slack under a burst", () => {
  it("50 clusters at once: no 429 from the fake, every root message ends Ready, every kubeconfig delivered", async () => {
    // Rates are scaled 50× on both sides so the test takes seconds; the mechanism is the one production uses.
    rig = await startRig("http", { config: slackConfig(50), rateScale: 50 });
    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => rig.command(`U0S${i}`, "C0DSG", `create burst${i} workers=1`)));
    expect(sent.every((s) => s.status === 200)).toBe(true);
    for (const s of sent) expect((await rig.responseFor(s.responseUrl)).text).toContain("queued");
    await rig.t.idle();

    const { fake } = rig;
    expect(fake.rateLimited).toBe(0);
    const roots = [...fake.messages.values()].filter((m) => m.channel === "C0DSG" && !m.thread_ts);
    expect(roots).toHaveLength(50);
    for (const r of roots) expect(blocksText(r.blocks)).toContain('"*State*\\nReady');
    expect(new Set(fake.files.map((f) => f.channel)).size).toBe(50);
    // Thread replies were merged while the channel was busy, and none was lost: every step of every cluster appears.
    const threadText = [...fake.messages.values()].filter((m) => m.thread_ts).map((m) => blocksText(m.blocks)).join("");
    expect(threadText.split("Sending kubeconfig").length - 1).toBe(50);
    expect(fake.callsOf("chat.postMessage").length).toBeLessThan(50 * 7);
    expect(fake.maxPostsInWindow(1000).posts).toBeLessThanOrEqual(50 + 3);
  }, 60_000);
});
