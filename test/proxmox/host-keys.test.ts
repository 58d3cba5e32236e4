/**
 * Issue 13.5: a node's host key is known before first contact. The driver
 * reads it through the QEMU guest agent (the fake Proxmox API, reporting the
 * key of the real sshd on loopback) and trusts nothing else at that address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import type { NodeInfo } from "../../src/provisioning/driver.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { startFakeProxmoxApi, type FakeProxmoxApi } from "./fake-proxmox-api.ts";
import { FIXTURE_PLAYBOOK, KUBECTL_STANDIN, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const unavailable = sshdUnavailable() ?? (existsSync("/usr/bin/ansible-playbook") ? undefined : "/usr/bin/ansible-playbook is missing (apt-get install -y ansible)");
if (unavailable) console.warn(`\n!!! SKIPPING the guest-agent host key tests: ${unavailable}\n`);

describe.skipIf(unavailable)("host keys from the guest agent", () => {
  const tmp = tempDir("hostkeys");
  const dataDir = join(tmp.dir, "data");
  const secret = tokenSecret();
  let sshd: Sshd;
  let api: FakeProxmoxApi;
  const nodes: NodeInfo[] = [
    { name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.7", vmid: 41000 },
    { name: "cs401-lab3-w1", role: "worker", ip: "127.0.0.8", vmid: 41001 },
  ];
  const driver = () => new ProxmoxDriver({
    dataDir, tokenSecret: secret, playbook: FIXTURE_PLAYBOOK, env: TF_ENV, sshPort: sshd.port, killAfterMs: 2_000, sshAttemptTimeoutMs: 3_000,
    proxmox: proxmoxConfig({ endpoint: api.endpoint, insecure: true, host_keys: "guest_agent", ssh_user: sshd.user.name }),
    remote: { sudo: false, adminKubeconfig: join(sshd.share, "lab3", "admin.conf") },
  });
  const knownHosts = (id: string) => readFileSync(join(workspaceOf(dataDir, id), "known_hosts"), "utf8");

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(dataDir);
    sshd = await startSshd({ authorizedKeys: [key.publicKey], addresses: nodes.map((n) => n.ip), bin: [KUBECTL_STANDIN] });
    api = await startFakeProxmoxApi(tmp.dir, `PVEAPIToken=labforge@pve!bot=${secret}`);
  });
  afterAll(async () => {
    await api?.stop();
    await sshd?.stop();
    tmp.remove();
  });

  it("pins the key the VM reports before connecting, waiting while the agent is not up, and then works as usual", async () => {
    const spec = clusterSpec({ ips: nodes.map((n) => n.ip), gateway: "127.0.0.254" });
    const d = driver();
    await d.prepare(spec, recordingContext());
    api.vms = [{ vmid: 41000, node: "pve1", hostKey: sshd.hostKey(), agentDown: true }, { vmid: 41001, node: "pve2", hostKey: sshd.hostKey() }];
    setTimeout(() => { api.vms[0]!.agentDown = false; }, 1_500);
    const ctx = recordingContext();
    await d.waitForSsh(spec, nodes, ctx);
    expect(ctx.logs[0]).toMatch(/^node cs401-lab3-(cp|w1) \(\[127\.0\.0\.[78]\]:\d+\): the guest agent of VM 4100[01] has not reported the SSH host key yet \(attempt 1; retrying\)$/);
    const [type, key] = sshd.hostKey().split(" ");
    expect(knownHosts(spec.id).trim().split("\n").sort()).toEqual([
      `[127.0.0.7]:${sshd.port} ${type} ${key} vmid=41000 from=agent`,
      `[127.0.0.8]:${sshd.port} ${type} ${key} vmid=41001 from=agent`,
    ]);
    expect(api.requests).toContain("GET /api2/json/nodes/pve2/qemu/41001/agent/file-read?file=%2Fetc%2Fssh%2Fssh_host_ed25519_key.pub");
    // ansible's ssh trusts the same pins.
    await d.configure(spec, nodes, recordingContext());
    expect((await d.kubectl(spec, nodes, ["get", "ns"])).exitCode).toBe(0);
  });

  it("refuses whatever else answers at the address, such as a leftover VM, and pins nothing from it", async () => {
    const spec = clusterSpec({ ips: nodes.map((n) => n.ip), gateway: "127.0.0.254" });
    const d = driver();
    await d.prepare(spec, recordingContext());
    // The new VMs report their own keys; the sshd answering at their addresses has another.
    const theirs = () => ssh2.utils.generateKeyPairSync("ed25519").public.trim();
    api.vms = [{ vmid: 41000, node: "pve1", hostKey: theirs() }, { vmid: 41001, node: "pve1", hostKey: theirs() }];
    const err = await d.waitForSsh(spec, nodes, recordingContext()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^node cs401-lab3-(cp|w1) \(\[127\.0\.0\.[78]\]:\d+\) presented an SSH host key that is not the one VM 4100[01] reported through the QEMU guest agent: refusing to connect\. Something else answers at 127\.0\.0\.[78] \(a leftover VM on a reused address\?\)/);
    expect(knownHosts(spec.id)).not.toContain(sshd.hostKey().split(" ")[1]);
  });

  it("fails at once, naming the privilege, when the token may not use the guest agent", async () => {
    const spec = clusterSpec({ ips: nodes.map((n) => n.ip), gateway: "127.0.0.254" });
    const d = driver();
    await d.prepare(spec, recordingContext());
    api.vms = [{ vmid: 41000, node: "pve1", hostKey: sshd.hostKey() }, { vmid: 41001, node: "pve1", hostKey: sshd.hostKey() }];
    api.forceStatus = 403;
    try {
      const began = Date.now();
      const err = await d.waitForSsh(spec, nodes, recordingContext(AbortSignal.timeout(30_000))).catch((e: unknown) => e);
      expect((err as Error).message).toContain("lacks the privilege for listing VMs (VM.Audit) (403)");
      expect(Date.now() - began).toBeLessThan(10_000); // not retried until the deadline
    } finally {
      api.forceStatus = undefined;
    }
  });
});
