import { afterEach, describe, expect, it } from "vitest";
import { blockAction, blocksText, startRig, waitFor, type SlackRig } from "./helpers.ts";

let rig: SlackRig;
afterEach(async () => { await rig?.close(); });

function slashPayload(user: string, channel: string, text: string, trigger: string, responseUrl: string) {
  return { token: "legacy", team_id: "T0LABFORGE", channel_id: channel, user_id: user, user_name: user.toLowerCase(), command: "/cluster", text, api_app_id: "A0LABFORGE", trigger_id: trigger, response_url: responseUrl };
}

describe("Slack, Socket Mode, real Bolt against the fake Slack", () => {
  it("acknowledges envelopes, runs the flow, and ignores a redelivered envelope", async () => {
    rig = await startRig("socket");
    const { fake, t } = rig;
    await fake.socketConnected();
    const url = fake.responseUrl();
    const payload = slashPayload("U0BOB", "C0CS401", "create lab3", "trig-sock-1", url);
    await fake.sendEnvelope("slash_commands", payload, "env-1");
    expect((await rig.responseFor(url)).text).toContain("Request #1 sent");
    // The same envelope again (Slack redelivers when an ack is late): acknowledged, no second request, no second answer.
    await fake.sendEnvelope("slash_commands", payload, "env-1");
    await t.idle();
    expect(await t.core.app.db.k.selectFrom("requests").selectAll().execute()).toHaveLength(1);
    expect(fake.responses.filter((r) => url.endsWith(`/${r.id}`))).toHaveLength(1);

    const pressUrl = fake.responseUrl();
    await fake.sendEnvelope("interactive", blockAction("U0TIM", "DU0TIM", "lf:approve:1", "trig-sock-2", pressUrl));
    expect((await rig.responseFor(pressUrl)).text).toContain("Approved request #1");
    await t.idle();
    await waitFor(() => fake.files.find((f) => f.channel === "DU0BOB"), "the kubeconfig DM");
    const root = [...fake.messages.values()].find((m) => m.channel === "C0CS401" && !m.thread_ts)!;
    expect(blocksText(root.blocks)).toContain("Ready");
    // Every envelope was acknowledged, well inside Slack's 3 seconds.
    expect(fake.acks).toHaveLength(3);
    for (const a of fake.acks) expect(a.latencyMs).toBeLessThan(3000);
  });

  it("publishes the App Home with the caller's clusters and the requests staff may decide", async () => {
    rig = await startRig("socket");
    const { fake, t } = rig;
    await fake.socketConnected();
    const url = fake.responseUrl();
    await fake.sendEnvelope("slash_commands", slashPayload("U0BOB", "C0CS401", "create lab3", "trig-home-1", url));
    await rig.responseFor(url);
    await t.idle();
    const open = (user: string) => fake.sendEnvelope("events_api", {
      token: "legacy", team_id: "T0LABFORGE", api_app_id: "A0LABFORGE", type: "event_callback", event_id: `Ev${user}`, event_time: 1,
      event: { type: "app_home_opened", user, channel: `D${user}`, tab: "home", event_ts: "1.1" },
    });
    await open("U0BOB");
    await open("U0ADA");
    const bob = await waitFor(() => fake.views.find((v) => v.user_id === "U0BOB"), "Bob's home");
    const ada = await waitFor(() => fake.views.find((v) => v.user_id === "U0ADA"), "Ada's home");
    expect(bob.view.type).toBe("home");
    expect(blocksText(bob.view.blocks)).toContain("lab3");
    expect(blocksText(bob.view.blocks)).not.toContain("lf:approve");
    expect(blocksText(ada.view.blocks)).toContain("lf:approve:1");
  });
});
