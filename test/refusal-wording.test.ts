/** Small leaks and mangling (issue 13.6): the Keep-it button names a cluster only to who may delete it; refusals keep names as typed. */
import { afterEach, describe, expect, it } from "vitest";
import { makeCore, type TestCore } from "./helpers/harness.ts";
import { capitalizeSentence } from "../src/core/capitalize.ts";
import { readyCluster } from "./lifecycle/helpers.ts";

let t: TestCore | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe("capitalizeSentence", () => {
  it.each([
    ["you are not in any tenant", [], "You are not in any tenant"],
    ["that request no longer exists", [], "That request no longer exists"],
    ["console:eve is not a member of cs401", [], "console:eve is not a member of cs401"],
    ["cs401 has no such cluster", [], "cs401 has no such cluster"],
    ["kube-system is a Kubernetes system namespace", [], "kube-system is a Kubernetes system namespace"],
    ["workers=9 is out of range", [], "workers=9 is out of range"],
    ["demo is already being deleted", ["delete", "demo"], "demo is already being deleted"],
    ["demo, the cluster, is gone", ["demo"], "demo, the cluster, is gone"],
    ["only TAs can", ["demo"], "Only TAs can"],
  ])("%j → %j", (input, names, want) => {
    expect(capitalizeSentence(input, names)).toBe(want);
  });
});

describe("refusals through the core keep names as they are", () => {
  it("an identity, a system namespace and an all-letter cluster name stay lowercase; plain sentences are capitalized", async () => {
    t = await makeCore();
    await readyCluster(t, "console:bob", "demo");
    const notMember = await t.cmd("console:bob", "ns kubeconfig demo team-a for=console:eve");
    expect(notMember.card.text).toMatch(/^console:eve is not a member of cs401/);
    const system = await t.cmd("console:bob", "ns create demo kube-system");
    expect(system.card.text).toMatch(/^kube-system is a Kubernetes system namespace/);
    const c = (await t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", "demo").executeTakeFirstOrThrow());
    expect((await t.press("console:bob", "delete.confirm", c.id)).code).toBeUndefined();
    // The second press refuses with the name from the button's cluster, not "Demo".
    const again = await t.press("console:bob", "delete.confirm", c.id);
    expect(again.code).toBe("cluster.deleting");
    expect(again.card.text).toBe("demo is already being deleted");
    const unregistered = await t.cmd("console:zed", "list");
    expect(unregistered.card.text).toMatch(/^You are not in any tenant/);
  });
});

describe("the Keep-it button", () => {
  it("tells the owner and staff that the cluster was kept, and anyone else nothing about it", async () => {
    t = await makeCore();
    const c = await readyCluster(t, "console:bob", "lab3");
    for (const who of ["console:carol", "console:eve", "console:vic"]) {
      const r = await t.press(who, "delete.cancel", c.id);
      expect([who, r.code]).toEqual([who, "cluster.not_found"]);
      expect(JSON.stringify(r)).not.toContain("lab3");
    }
    const unknown = await t.press("console:carol", "delete.cancel", "c-doesnotexist");
    expect(unknown.card.text).toBe((await t.press("console:carol", "delete.cancel", c.id)).card.text);
    expect((await t.press("console:bob", "delete.cancel", c.id)).card).toMatchObject({ title: "Kept", text: "lab3 was not deleted." });
    expect((await t.press("console:tim", "delete.cancel", c.id)).card).toMatchObject({ title: "Kept", text: "lab3 was not deleted." });
  });
});
