/** A class session on the tenant page (issue 16): when the lab starts, ready / total, and every student's cluster. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWebRig, type WebRig } from "./rig.ts";
import { baseConfig } from "../helpers/harness.ts";

let rig: WebRig;

beforeAll(async () => {
  rig = await startWebRig({ config: baseConfig() });
  const made = await rig.t.cmd("console:ada", "class create lab5");
  expect(made.code, made.card.text).toBeUndefined();
  await rig.t.idle();
}, 60_000);
afterAll(async () => { await rig?.close(); });

it("shows the session with each student's cluster to the tenant's staff", async () => {
  const tim = await rig.signIn("console:tim");
  const html = await (await rig.get("/tenant/cs401", tim)).text();
  const block = html.split('<div class="card session"')[1]!;
  expect(block).toContain('data-session="lab5"');
  expect(block).toContain("2 of 2 ready");
  expect(block).toContain("lab5-01");
  expect(block).toContain("lab5-02");
  expect(block).toMatch(/Bob \(console:bob\)[\s\S]*Carol \(console:carol\)/);
  expect(block).toContain("lab starts");
});

it("shows it to nobody outside the tenant's staff", async () => {
  const bob = await rig.signIn("console:bob");
  const res = await rig.get("/tenant/cs401", bob);
  expect(res.status).toBe(403);
  expect(await res.text()).not.toContain("lab5-02");
});
