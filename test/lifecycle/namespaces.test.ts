/** Namespace commands on a real core, through a recording wrapper around the simulated driver's kubectl. */
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { ManualClock } from "../../src/util/clock.ts";
import { SimulatedDriver } from "../../src/provisioning/simulated.ts";
import type { KubectlResult } from "../../src/provisioning/driver.ts";
import { serviceAccountFor } from "../../src/namespaces/names.ts";
import { auditOf, readyCluster } from "./helpers.ts";

interface Call { argv: string[]; stdin?: string; host?: string; result?: KubectlResult }

let t: TestCore;
let calls: Call[];
/** When set, answers instead of the simulated cluster (to script kubectl failures). */
let override: ((argv: string[]) => KubectlResult | undefined) | undefined;
afterEach(async () => { await t?.close(); override = undefined; });

async function start(): Promise<ManualClock> {
  calls = [];
  const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
  t = await makeCore({
    clock,
    driver: (config, dataDir) => {
      const d = new SimulatedDriver({ dataDir, stepMs: 0, fail: config.infra.simulated.fail });
      const kubectl = d.kubectl.bind(d);
      d.kubectl = async (spec, nodes, argv, stdin) => {
        const call: Call = { argv, stdin, host: nodes.find((n) => n.role === "control_plane")?.ip };
        calls.push(call);
        call.result = override?.(argv) ?? await kubectl(spec, nodes, argv, stdin);
        return call.result;
      };
      return d;
    },
  });
  return clock;
}

describe("ns create | delete | list", () => {
  it("sends exactly the intended kubectl argv to the control plane, audited", async () => {
    await start();
    await readyCluster(t, "console:bob", "lab3", { extra: "workers=1" });
    const created = await t.cmd("console:bob", "ns create lab3 team-a");
    expect(created.code).toBeUndefined();
    expect(calls.map((c) => c.argv)).toEqual([["create", "-f", "-"]]);
    expect(calls[0]!.host).toBe("10.40.19.201");
    // One call carries the namespace with its Pod Security labels, its quota and its limits.
    expect(parseAllDocuments(calls[0]!.stdin!).map((d) => d.toJS().kind)).toEqual(["Namespace", "ResourceQuota", "LimitRange"]);
    expect(parseAllDocuments(calls[0]!.stdin!)[0]!.toJS().metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBe("ns.exists");

    calls = [];
    const listed = await t.cmd("console:tim", "ns list lab3");
    expect(listed.code).toBeUndefined();
    expect(calls.map((c) => c.argv)).toEqual([["get", "namespaces", "-o", "name"]]);
    expect(listed.card.code!.split("\n")).toEqual(["default  (system)", "kube-node-lease  (system)", "kube-public  (system)", "kube-system  (system)", "team-a"]);

    calls = [];
    expect((await t.cmd("console:bob", "ns delete lab3 team-a")).code).toBeUndefined();
    expect(calls.map((c) => c.argv)).toEqual([["delete", "namespace", "team-a", "--wait=false"]]);
    expect((await t.cmd("console:bob", "ns delete lab3 team-a")).code).toBe("ns.not_found");
    const audited = (await auditOf(t, "lab3")).filter((a) => a.action.startsWith("ns."));
    expect(audited.map((a) => `${a.action} ${a.outcome} ${a.detail}`)).toEqual([
      "ns.create ok namespace=team-a", "ns.create failure namespace=team-a ns.exists",
      "ns.delete ok namespace=team-a", "ns.delete failure namespace=team-a ns.not_found",
    ]);
  });

  it("refuses system namespaces and bad names before any kubectl runs, and checks who asks", async () => {
    await start();
    await readyCluster(t, "console:bob", "lab3");
    calls = [];
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", "kube-anything"]) {
      expect((await t.cmd("console:bob", `ns create lab3 ${ns}`)).code).toBe("ns.system");
      expect((await t.cmd("console:bob", `ns delete lab3 ${ns}`)).code).toBe("ns.system");
      expect((await t.cmd("console:bob", `ns kubeconfig lab3 ${ns}`)).code).toBe("ns.system");
    }
    for (const text of ["ns create lab3 Team_A", "ns create lab3 a;rm", "ns create lab3", "ns list lab3 team-a", "ns create lab3 team-a for=console:bob", "ns frob lab3"]) {
      expect((await t.cmd("console:bob", text)).code).toBe("usage");
    }
    expect((await t.cmd("console:carol", "ns create lab3 team-a")).code).toBe("rbac.denied");
    expect((await t.cmd("console:vic", "ns list lab3")).code).toBe("rbac.denied");
    expect((await t.cmd("console:eve", "ns list lab3 tenant=cs401")).code).toBe("rbac.not_member");
    expect(calls).toEqual([]);
  });

  it("refuses a cluster that is not ready", async () => {
    await start();
    await t.cmd("console:bob", "create lab3");
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBe("cluster.not_ready");
    expect(calls).toEqual([]);
  });

  it("surfaces a kubectl failure as a refusal with its stderr, redacted", async () => {
    await start();
    await readyCluster(t, "console:bob", "lab3");
    override = () => ({ exitCode: 1, stdout: "", stderr: "error: You must be logged in to the server (Unauthorized) token=abcdef0123456789secret\n" });
    const r = await t.cmd("console:bob", "ns create lab3 team-a");
    expect(r.code).toBe("kubectl.failed");
    expect(r.card.text).toContain("Unauthorized");
    expect(r.card.text).toContain("[redacted]");
    expect(JSON.stringify(r)).not.toContain("abcdef0123456789secret");
  });

  it("answers an unreachable control plane with a refusal that says so, not a fault", async () => {
    await start();
    await readyCluster(t, "console:bob", "lab3");
    override = () => { throw new Error("ssh 10.40.19.201: connect ECONNREFUSED (token=abcdef0123456789secret)"); };
    const r = await t.cmd("console:bob", "ns list lab3");
    expect(r.code).toBe("cluster.unreachable");
    expect(r.card.text).toContain("ECONNREFUSED");
    expect(JSON.stringify(r)).not.toContain("abcdef0123456789secret");
  });
});

describe("ns kubeconfig", () => {
  it("creates the ServiceAccount and edit RoleBinding, mints a token that expires with the cluster, and DMs a namespace kubeconfig", async () => {
    const clock = await start();
    const c = await readyCluster(t, "console:bob", "lab3", { extra: "workers=1" });
    await t.cmd("console:bob", "ns create lab3 team-a");
    clock.advance(3_600_000);
    calls = [];
    const sent = await t.cmd("console:bob", "ns kubeconfig lab3 team-a for=<@carol>");
    expect(sent.code).toBeUndefined();
    const sa = serviceAccountFor("console:carol");
    const seconds = (c.expires_at! - clock.now()) / 1000;
    expect(calls.map((x) => x.argv)).toEqual([
      ["get", "namespace", "team-a", "-o", "name"],
      ["apply", "-f", "-"],
      ["create", "token", sa, "-n", "team-a", `--duration=${seconds}s`],
    ]);
    const manifest = calls[1]!.stdin!;
    expect(manifest).toContain("kind: RoleBinding");
    expect(manifest).toContain("name: edit");
    const token = calls[2]!.result!.stdout.trim();
    expect(token.length).toBeGreaterThan(20);

    const dm = t.port.dmsTo("console:carol").find((s) => s.file)!;
    expect(dm.file!.filename).toBe("cs401-lab3-team-a.kubeconfig");
    expect(dm.card.text).toContain("Bob");
    const doc = parse(dm.file!.content);
    const admin = parse((await t.core.app.kubeconfigs.load(c.id))!);
    expect(doc["current-context"]).toBe("cs401-lab3-team-a");
    expect(doc.contexts).toEqual([{ name: "cs401-lab3-team-a", context: { cluster: "cs401-lab3", user: `${sa}@cs401-lab3`, namespace: "team-a" } }]);
    expect(doc.users).toEqual([{ name: `${sa}@cs401-lab3`, user: { token } }]);
    expect(doc.clusters[0].cluster.server).toBe("https://10.40.19.201:6443");
    expect(doc.clusters[0].cluster).toEqual(admin.clusters[0].cluster);
    // The admin's credentials are not in it; the token is only in the DM's file.
    expect(dm.file!.content).not.toContain(admin.users[0].user.token);
    expect(t.port.sent.filter((s) => s !== dm && JSON.stringify(s).includes(token))).toEqual([]);
    expect(t.logs.join("")).not.toContain(token);
    expect(JSON.stringify(await auditOf(t, "lab3"))).not.toContain(token);
    expect((await auditOf(t, "lab3")).at(-1)).toMatchObject({ action: "ns.kubeconfig", outcome: "ok", actor: "console:bob" });
  });

  it("sends to the caller by default; refuses recipients outside the tenant, and namespaces that do not exist", async () => {
    await start();
    await readyCluster(t, "console:bob", "lab3");
    await t.cmd("console:bob", "ns create lab3 team-a");
    expect((await t.cmd("console:tim", "ns kubeconfig lab3 team-a")).code).toBeUndefined();
    expect(t.port.dmsTo("console:tim").find((s) => s.file)?.file?.filename).toBe("cs401-lab3-team-a.kubeconfig");
    calls = [];
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-a for=console:eve")).code).toBe("ns.recipient_not_member");
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-a for=<@zed>")).code).toBe("ns.recipient_not_member");
    expect(calls).toEqual([]);
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-b")).code).toBe("ns.not_found");
    expect(calls.map((x) => x.argv[0])).toEqual(["get"]);
  });
});
