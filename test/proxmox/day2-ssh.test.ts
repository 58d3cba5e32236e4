/** Join and drain for `scale`, against a real sshd on 127.0.0.x with kubeadm and kubectl stand-ins that record their argv. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chownSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { Redactor } from "../../src/util/redact.ts";
import type { NodeInfo } from "../../src/provisioning/driver.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { KUBECTL_STANDIN, REPO, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`\n!!! SKIPPING the join/drain-over-SSH tests: ${unavailable}\n`);

const TOKEN = "abcdef.0123456789abcdef";

describe.skipIf(unavailable)("proxmox driver: join and drain over SSH", () => {
  const tmp = tempDir("day2-ssh");
  const dataDir = join(tmp.dir, "data");
  const redactor = new Redactor();
  let sshd: Sshd;
  let driver: ProxmoxDriver;
  const spec = clusterSpec({ ips: ["127.0.0.4", "127.0.0.5", "127.0.0.6"], gateway: "127.0.0.254" });
  const nodes: NodeInfo[] = [
    { name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.4", vmid: 1000 },
    { name: "cs401-lab3-w1", role: "worker", ip: "127.0.0.5", vmid: 1001 },
    { name: "cs401-lab3-w2", role: "worker", ip: "127.0.0.6", vmid: 1002 },
  ];
  const dirOf = (tool: string) => join(sshd.share, tool);
  const recorded = (tool: string) => readdirSync(dirOf(tool)).filter((f) => f.endsWith(".argv")).sort().map((f) => ({
    argv: readFileSync(join(dirOf(tool), f), "utf8").split("\0").slice(0, -1),
    host: tool === "kubeadm" ? readFileSync(join(dirOf(tool), f.replace(".argv", ".host")), "utf8").trim() : undefined,
  }));
  const reset = (files: Record<string, Record<string, string>> = {}) => {
    for (const tool of ["kubectl", "kubeadm"]) {
      rmSync(dirOf(tool), { recursive: true, force: true });
      mkdirSync(dirOf(tool));
      chownSync(dirOf(tool), sshd.user.uid, sshd.user.gid);
      for (const [f, text] of Object.entries(files[tool] ?? {})) writeFileSync(join(dirOf(tool), f), text);
    }
  };

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(dataDir);
    sshd = await startSshd({
      authorizedKeys: [key.publicKey], addresses: nodes.map((n) => n.ip),
      bin: [KUBECTL_STANDIN, join(REPO, "test/fixtures/kubectl-standin/sudo"), join(REPO, "test/fixtures/kubeadm-standin/kubeadm")],
    });
    driver = new ProxmoxDriver({ dataDir, proxmox: proxmoxConfig({ ssh_user: sshd.user.name }), tokenSecret: tokenSecret(), sshPort: sshd.port, kubectlTimeoutMs: 5_000, redactor });
    await driver.prepare(spec, recordingContext());
    await driver.waitForSsh(spec, nodes, recordingContext());
  });
  afterAll(async () => {
    await sshd?.stop();
    tmp.remove();
  });

  it("joins new workers with a fresh token made on the control plane, each on its own node, through sudo", async () => {
    // Kubernetes does not know w1 or w2 yet.
    reset({ kubectl: { "reply.stderr": 'Error from server (NotFound): nodes "x" not found\n', "reply.exit": "1" } });
    const ctx = recordingContext();
    await driver.joinWorkers(spec, nodes, nodes.slice(1), ctx);
    const hash = `sha256:${"0123456789abcdef".repeat(4)}`;
    expect(recorded("kubeadm")).toEqual([
      { argv: ["token", "create", "--ttl", "30m", "--print-join-command"], host: "127.0.0.4" },
      { argv: ["join", "127.0.0.4:6443", "--token", TOKEN, "--discovery-token-ca-cert-hash", hash, "--node-name", "cs401-lab3-w1"], host: "127.0.0.5" },
      { argv: ["join", "127.0.0.4:6443", "--token", TOKEN, "--discovery-token-ca-cert-hash", hash, "--node-name", "cs401-lab3-w2"], host: "127.0.0.6" },
    ]);
    expect(recorded("kubectl").map((c) => c.argv.slice(2))).toEqual([
      ["get", "node", "cs401-lab3-w1", "-o", "name"], ["get", "node", "cs401-lab3-w2", "-o", "name"],
    ]);
    expect(readFileSync(join(sshd.share, "sudo.log"), "utf8")).toMatch(/^kubeadm token create/m);
    // The token never reaches the step's log.
    expect(ctx.logs.join("\n")).not.toContain("0123456789abcdef");
    expect(ctx.logs).toEqual(["fresh join token created on cs401-lab3-cp", "cs401-lab3-w1 joined", "cs401-lab3-w2 joined"]);
  });

  it("skips workers Kubernetes already lists (a resumed step), and redacts the token from a failed join", async () => {
    reset();
    await driver.joinWorkers(spec, nodes, nodes.slice(1), recordingContext());
    expect(recorded("kubeadm")).toEqual([]);

    reset({ kubectl: { "reply.exit": "1" }, kubeadm: { "join.exit": "1" } });
    const err = await driver.joinWorkers(spec, nodes, nodes.slice(2), recordingContext()).catch((e: unknown) => e) as Error & { logTail: string[] };
    expect(err.message).toBe("kubeadm join on cs401-lab3-w2 failed (exit 1)");
    expect(err.logTail.join("\n")).toContain("error execution phase preflight");
    expect(err.logTail.join("\n")).not.toContain("0123456789abcdef");
    expect(redactor.redact(`token ${TOKEN}`)).not.toContain("0123456789abcdef");
  });

  it("drains each leaving worker, then deletes it from Kubernetes; a drain that finds the node gone goes on to the delete", async () => {
    reset();
    const ctx = recordingContext();
    await driver.drainWorkers(spec, nodes, nodes.slice(2), ctx);
    expect(recorded("kubectl").map((c) => c.argv)).toEqual([
      ["--kubeconfig", "/etc/kubernetes/admin.conf", "drain", "cs401-lab3-w2", "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=300s"],
      ["--kubeconfig", "/etc/kubernetes/admin.conf", "delete", "node", "cs401-lab3-w2", "--ignore-not-found"],
    ]);
    expect(ctx.logs).toEqual(["cs401-lab3-w2 drained and deleted from Kubernetes"]);

    reset({ kubectl: { "reply.stderr": 'Error from server (NotFound): nodes "cs401-lab3-w2" not found\n', "reply.exit": "1" } });
    // drain says NotFound (fine); the delete with --ignore-not-found would exit 0 on a real kubectl, the stand-in exits 1.
    await expect(driver.drainWorkers(spec, nodes, nodes.slice(2), recordingContext())).rejects.toThrow("could not delete node cs401-lab3-w2 (exit 1)");

    reset({ kubectl: { "reply.stderr": "error: cannot evict pod as it would violate the pod's disruption budget\n", "reply.exit": "1" } });
    const err = await driver.drainWorkers(spec, nodes, nodes.slice(1, 2), recordingContext()).catch((e: unknown) => e) as Error & { logTail: string[] };
    expect(err.message).toBe("could not drain cs401-lab3-w1 (kubectl drain exit 1)");
    expect(err.logTail).toEqual(["error: cannot evict pod as it would violate the pod's disruption budget"]);
    expect(recorded("kubectl")).toHaveLength(1);
  });

  it("waits for every node to be Ready with kubectl wait, and refuses a control plane in a worker list", async () => {
    reset();
    await driver.waitForNodesReady(spec, nodes, recordingContext());
    expect(recorded("kubectl").map((c) => c.argv.slice(2))).toEqual([["wait", "--for=condition=Ready", "node", "--all", "--timeout=300s"]]);
    reset({ kubectl: { "reply.stderr": "error: timed out waiting for the condition on nodes/cs401-lab3-w1\n", "reply.exit": "1" } });
    await expect(driver.waitForNodesReady(spec, nodes, recordingContext())).rejects.toThrow("not every node became Ready (kubectl wait exit 1)");
    await expect(driver.drainWorkers(spec, nodes, nodes.slice(0, 1), recordingContext())).rejects.toThrow("invalid worker list");
  });
});
