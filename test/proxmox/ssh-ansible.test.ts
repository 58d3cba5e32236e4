/** The proxmox driver's SSH and Ansible side against a real sshd on loopback and the real ansible-playbook. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import type { NodeInfo } from "../../src/provisioning/driver.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { FIXTURE_PLAYBOOK, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const ANSIBLE = "/usr/bin/ansible-playbook";
const unavailable = sshdUnavailable() ?? (existsSync(ANSIBLE) ? undefined : `${ANSIBLE} is missing (apt-get install -y ansible)`);
if (unavailable) console.warn(`\n!!! SKIPPING the proxmox driver's SSH and Ansible tests: ${unavailable}\n`);

describe.skipIf(unavailable)("proxmox driver: ssh and ansible", () => {
  const tmp = tempDir("ssh");
  const dataDir = join(tmp.dir, "data");
  let sshd: Sshd;
  const nodes: NodeInfo[] = [
    { name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.2", vmid: 1000 },
    { name: "cs401-lab3-w1", role: "worker", ip: "127.0.0.3", vmid: 1001 },
  ];
  const spec = clusterSpec({ name: "lab3", ips: nodes.map((n) => n.ip), gateway: "127.0.0.254" });
  const driver = (name = spec.name) => new ProxmoxDriver({
    dataDir, proxmox: proxmoxConfig({ ssh_user: sshd.user.name }), tokenSecret: tokenSecret(),
    playbook: FIXTURE_PLAYBOOK, env: TF_ENV, sshPort: sshd.port, killAfterMs: 2_000, sshAttemptTimeoutMs: 3_000,
    remote: { sudo: false, adminKubeconfig: join(sshd.share, name, "admin.conf") },
  });

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(dataDir); // the driver finds and uses this same key
    sshd = await startSshd({ authorizedKeys: [key.publicKey], addresses: ["127.0.0.2", "127.0.0.3"] });
  });
  afterAll(async () => {
    await sshd?.stop();
    tmp.remove();
  });

  it("waits for SSH, pins both host keys, runs the playbook with progress, is idempotent, and fetches the kubeconfig", async () => {
    const d = driver();
    await d.prepare(spec, recordingContext());
    const ws = workspaceOf(dataDir, spec.id);
    const wait = recordingContext();
    await d.waitForSsh(spec, nodes, wait);
    // Nodes are waited for in parallel: either may answer first.
    expect(wait.progressed.map((p) => p.slice(0, 8))).toEqual(["ssh 1/2:", "ssh 2/2:"]);
    expect(wait.progressed.map((p) => p.slice(9)).sort()).toEqual(["cs401-lab3-cp answers", "cs401-lab3-w1 answers"]);
    const [type, key] = sshd.hostKey().split(" ");
    expect(readFileSync(join(ws, "known_hosts"), "utf8").trim().split("\n").sort()).toEqual([
      `[127.0.0.2]:${sshd.port} ${type} ${key} vmid=1000`,
      `[127.0.0.3]:${sshd.port} ${type} ${key} vmid=1001`,
    ]);

    const first = recordingContext();
    await d.configure(spec, nodes, first);
    expect(first.progressed).toContain("control_plane : Initialise the control plane · cs401-lab3-cp: changed");
    expect(first.progressed).toContain("worker : Run kubeadm join · cs401-lab3-w1: changed");
    expect(first.progressed).toContain("Check that every VM became a node · cs401-lab3-cp: ok");
    expect(first.logs).toContain("recap cs401-lab3-w1: ok=4 changed=1 unreachable=0 failed=0 skipped=1");
    expect(readFileSync(join(sshd.share, "lab3", "cs401-lab3-w1.joined"), "utf8")).toBe("worker of cs401/lab3, joined 127.0.0.2\n");
    const inventory = parse(readFileSync(join(ws, "inventory.yml"), "utf8"));
    expect(inventory.all.children.control_plane.hosts).toEqual({ "cs401-lab3-cp": { ansible_host: "127.0.0.2" } });
    expect(inventory.all.children.workers.hosts).toEqual({ "cs401-lab3-w1": { ansible_host: "127.0.0.3" } });
    expect(JSON.parse(readFileSync(join(ws, "ansible-vars.json"), "utf8"))).toMatchObject({
      labforge_tenant: "cs401", labforge_cluster: "lab3", kubernetes_version: "1.31", pod_cidr: "10.244.0.0/16", control_plane_ip: "127.0.0.2",
    });

    // A resumed job runs configure again: nothing changes.
    const second = recordingContext();
    await d.configure(spec, nodes, second);
    expect(second.progressed.filter((p) => p.endsWith(": changed"))).toEqual([]);
    expect(second.logs).toContain("playbook done: 2 host(s), 0 change(s)");

    const kubeconfig = parse(await d.fetchKubeconfig(spec, nodes, recordingContext()));
    expect(kubeconfig.clusters[0].cluster.server).toBe("https://127.0.0.2:6443");
    expect(kubeconfig.clusters[0].cluster["certificate-authority-data"]).toBe("RklYVFVSRS1DQQ==");
    expect(kubeconfig.users[0].user["client-key-data"]).toBe("RklYVFVSRS1BRE1JTi1LRVk=");
  });

  it("reports a failed playbook with the host, the task and the last lines", async () => {
    const failing = clusterSpec({ name: "failing", ips: nodes.map((n) => n.ip), gateway: "127.0.0.254" });
    const failNodes = nodes.map((n) => ({ ...n, name: n.name.replace("lab3", "failing") }));
    const d = driver("failing");
    await d.prepare(failing, recordingContext());
    await d.waitForSsh(failing, failNodes, recordingContext());
    const err = await d.configure(failing, failNodes, recordingContext()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^the playbook failed: failed on cs401-failing-(cp|w1) at “common : Fail on purpose for clusters named fail\*” \(exit 2\)$/);
    expect((err as { logTail: string[] }).logTail.join("\n")).toContain("fixture failure for failing on cs401-failing-");
  });

  it("keeps retrying while nothing answers, until the step's deadline", async () => {
    const silent = clusterSpec({ ips: ["127.0.0.9"] });
    const d = driver();
    await d.prepare(silent, recordingContext());
    const ctx = recordingContext(AbortSignal.timeout(1_500));
    const err = await d.waitForSsh(silent, [{ name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.9", vmid: 1000 }], ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "TimeoutError" });
    expect(ctx.logs[0]).toMatch(/^node cs401-lab3-cp \(\[127\.0\.0\.9\]:\d+\): .*ECONNREFUSED.* \(attempt 1; retrying\)$/);
  });

  it("refuses a node whose host key changed, in every SSH path, naming the node; a replaced VM is pinned afresh", async () => {
    const d = driver();
    await sshd.restart({ newHostKey: true });
    const wait = await d.waitForSsh(spec, nodes, recordingContext()).catch((e: unknown) => e);
    expect((wait as Error).message).toMatch(/the SSH host key of node cs401-lab3-(cp|w1) \(\[127\.0\.0\.[23]\]:\d+\) has changed since it was pinned: refusing to connect/);
    const configure = await d.configure(spec, nodes, recordingContext()).catch((e: unknown) => e);
    expect((configure as Error).message).toMatch(/^ssh refused the host key of node cs401-lab3-(cp|w1)(, cs401-lab3-(cp|w1))?: it differs from the key pinned/);
    const fetch = await d.fetchKubeconfig(spec, nodes, recordingContext()).catch((e: unknown) => e);
    expect((fetch as Error).message).toContain("the SSH host key of node cs401-lab3-cp ([127.0.0.2]:");
    const kubectl = await d.kubectl(spec, nodes, ["get", "ns"]).catch((e: unknown) => e);
    expect((kubectl as Error).message).toContain("the SSH host key of node cs401-lab3-cp ([127.0.0.2]:");

    // terraform replaced the VMs (new vmids): new machines, new keys, pinned on first contact.
    const rebuilt = nodes.map((n) => ({ ...n, vmid: n.vmid + 100 }));
    await d.waitForSsh(spec, rebuilt, recordingContext());
    expect(readFileSync(join(workspaceOf(dataDir, spec.id), "known_hosts"), "utf8")).toContain(`${sshd.hostKey().split(" ")[1]} vmid=1100`);
    expect(parse(await d.fetchKubeconfig(spec, rebuilt, recordingContext())).clusters[0].cluster.server).toBe("https://127.0.0.2:6443");
  });
});
