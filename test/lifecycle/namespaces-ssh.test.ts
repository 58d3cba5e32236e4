/**
 * Namespace commands through the proxmox driver's real SSH kubectl: a real core, a real sshd on loopback and the
 * recording kubectl stand-in on the login user's PATH (test/fixtures/kubectl-standin), which keeps each call's argv and stdin.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { makeCore, type TestCore } from "../helpers/harness.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { KUBECTL_STANDIN, TF_ENV, FIXTURE_MODULE, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "../proxmox/support.ts";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { specOf } from "../../src/clusters/spec.ts";
import { getCluster } from "../../src/clusters/repo.ts";
import { newClusterId } from "../../src/util/ids.ts";
import { serviceAccountFor } from "../../src/namespaces/names.ts";
import type { NodeInfo } from "../../src/provisioning/driver.ts";

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`\n!!! SKIPPING the namespace commands over SSH: ${unavailable}\n`);

const ADMIN_CONF = "/etc/kubernetes/admin.conf";
const CP: NodeInfo = { name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.1", vmid: 1000 };

describe.skipIf(unavailable)("namespace commands over SSH (proxmox driver, recording kubectl)", () => {
  const tmp = tempDir("ns-ssh");
  const dataDir = join(tmp.dir, "data");
  let sshd: Sshd;
  let t: TestCore;
  let calls: string;

  /** The recorded calls: argv (without the --kubeconfig prefix the driver adds) and stdin. */
  const recorded = () => readdirSync(calls).filter((f) => f.endsWith(".argv")).sort().map((f) => {
    const argv = readFileSync(join(calls, f), "utf8").split("\0").slice(0, -1);
    expect(argv.slice(0, 2)).toEqual(["--kubeconfig", ADMIN_CONF]);
    return { argv: argv.slice(2), stdin: readFileSync(join(calls, f.replace(".argv", ".stdin")), "utf8") };
  });
  const reply = (r: { stdout?: string; stderr?: string; exit?: number }) => {
    if (r.stdout !== undefined) writeFileSync(join(calls, "reply.stdout"), r.stdout);
    if (r.stderr !== undefined) writeFileSync(join(calls, "reply.stderr"), r.stderr);
    if (r.exit !== undefined) writeFileSync(join(calls, "reply.exit"), String(r.exit));
  };

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(dataDir); // the driver finds and uses this same key
    sshd = await startSshd({ authorizedKeys: [key.publicKey], bin: [KUBECTL_STANDIN] });
    calls = join(sshd.share, "kubectl");
    t = await makeCore({
      dataDir,
      driver: (_config, dir) => new ProxmoxDriver({
        dataDir: dir, proxmox: proxmoxConfig({ ssh_user: sshd.user.name }), tokenSecret: tokenSecret(), moduleDir: FIXTURE_MODULE,
        env: TF_ENV, sshPort: sshd.port, sshAttemptTimeoutMs: 3_000, remote: { sudo: false },
      }),
    });
    // A ready cluster whose control plane is the sshd: its workspace and pinned host key, as the pipeline leaves them.
    const id = newClusterId();
    const now = t.clock.now();
    await t.core.app.db.k.insertInto("clusters").values({
      id, tenant: "cs401", name: "lab3", owner: "console:bob", state: "ready", workers: 0, size: "small", vcpus: 2, memory_mb: 2048, disk_gb: 20,
      ttl_ms: 86_400_000, channel: "console:#cs401", root_ref: null, nodes: JSON.stringify([CP]), expires_at: now + 86_400_000, ready_at: now,
      failure: null, created_at: now, updated_at: now,
    }).execute();
    await t.core.app.db.k.insertInto("ip_allocations").values({ ip: "10.40.19.201", cluster_id: id, position: 0, allocated_at: now }).execute();
    await t.core.app.kubeconfigs.save(id, [
      "apiVersion: v1", "kind: Config",
      "clusters: [{ name: cs401-lab3, cluster: { server: 'https://127.0.0.1:6443', certificate-authority-data: Q0EtREFUQQ== } }]",
      "users: [{ name: admin, user: { client-key-data: S0VZ, client-certificate-data: Q0VSVA== } }]",
      "contexts: [{ name: cs401-lab3, context: { cluster: cs401-lab3, user: admin } }]", "current-context: cs401-lab3", "",
    ].join("\n"), now);
    const spec = await specOf(t.core.app, (await getCluster(t.core.app.db.k, id))!);
    await t.core.app.driver.prepare(spec, recordingContext());
    await t.core.app.driver.waitForSsh(spec, [CP], recordingContext());
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
    tmp.remove();
  });
  // A fresh recording directory per test, owned by the login user the stand-in runs as.
  beforeEach(() => {
    rmSync(calls, { recursive: true, force: true });
    mkdirSync(calls, { mode: 0o755 });
    chownSync(calls, sshd.user.uid, sshd.user.gid);
  });

  it("ns create, list and delete reach the control plane as exactly the intended argv", async () => {
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBeUndefined();
    reply({ stdout: "namespace/default\nnamespace/kube-system\nnamespace/team-a\n" });
    const listed = await t.cmd("console:bob", "ns list lab3");
    expect(listed.card.code).toBe("default  (system)\nkube-system  (system)\nteam-a");
    expect((await t.cmd("console:bob", "ns delete lab3 team-a")).code).toBeUndefined();
    const seen = recorded();
    expect(seen.map((c) => c.argv)).toEqual([
      ["create", "-f", "-"],
      ["get", "namespaces", "-o", "name"],
      ["delete", "namespace", "team-a", "--wait=false"],
    ]);
    // What reached the node's kubectl on stdin: the namespace with Pod Security labels, its quota and its limits.
    const docs = parseAllDocuments(seen[0]!.stdin).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}@${d.metadata.namespace ?? ""}`)).toEqual(["Namespace/team-a@", "ResourceQuota/labforge-quota@team-a", "LimitRange/labforge-limits@team-a"]);
    expect(docs[0].metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" });
    expect(docs[1].spec.hard).toMatchObject({ "requests.cpu": "2", "limits.memory": "8Gi", pods: "20" });
    expect(docs[2].spec.limits[0]).toMatchObject({ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "512Mi" } });
    for (const c of seen.slice(1)) expect(c.stdin).toBe("");
  });

  it("ns kubeconfig applies the ServiceAccount and RoleBinding on stdin and DMs a kubeconfig with the minted token", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";
    reply({ stdout: `${token}\n` });
    expect((await t.cmd("console:bob", "ns kubeconfig lab3 team-a for=<@carol>")).code).toBeUndefined();
    const sa = serviceAccountFor("console:carol");
    const seen = recorded();
    expect(seen.map((c) => c.argv)).toEqual([
      ["get", "namespace", "team-a", "-o", "name"],
      ["apply", "-f", "-"],
      ["create", "token", sa, "-n", "team-a", expect.stringMatching(/^--duration=\d+s$/)],
    ]);
    // The guard comes first in the same apply, so the account is never in an unguarded namespace.
    const docs = parseAllDocuments(seen[1]!.stdin).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["Namespace", "ResourceQuota", "LimitRange", "ServiceAccount", "RoleBinding"]);
    expect(docs[0].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(docs[4]).toMatchObject({ metadata: { name: `${sa}-edit`, namespace: "team-a" }, roleRef: { kind: "ClusterRole", name: "edit" } });
    const file = t.port.dmsTo("console:carol").find((s) => s.file)!.file!;
    const doc = parse(file.content);
    expect(doc.users[0].user).toEqual({ token });
    expect(doc.clusters[0].cluster).toEqual({ server: "https://127.0.0.1:6443", "certificate-authority-data": "Q0EtREFUQQ==" });
    expect(doc.contexts[0].context.namespace).toBe("team-a");
    expect(t.logs.join("")).not.toContain(token);
  });

  it("a kubectl error on the node comes back as a refusal with its stderr", async () => {
    reply({ stderr: 'Error from server (AlreadyExists): namespaces "team-a" already exists\n', exit: 1 });
    expect((await t.cmd("console:bob", "ns create lab3 team-a")).code).toBe("ns.exists");
    reply({ stderr: "error: the server doesn't have a resource type \"namespaces\"\n", exit: 1 });
    const r = await t.cmd("console:bob", "ns create lab3 team-b");
    expect(r.code).toBe("kubectl.failed");
    expect(r.card.text).toContain("the server doesn't have a resource type");
  });
});
