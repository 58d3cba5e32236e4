/**
 * The production roles' checks and recovery paths (issue 14.4–14.7, 13.1),
 * run by the real ansible-playbook against the real sshd on loopback, with
 * recording stand-ins for kubeadm, crictl, systemctl, apt-mark, cloud-init
 * and kubectl (test/fixtures/ansible/standins/).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { ansibleSshArgs } from "../../src/provisioning/proxmox/ansible-runner.ts";
import { childEnv } from "../../src/provisioning/proxmox/child-env.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { REPO, tempDir } from "../proxmox/support.ts";

const ANSIBLE = "/usr/bin/ansible-playbook";
const unavailable = sshdUnavailable() ?? (existsSync(ANSIBLE) ? undefined : `${ANSIBLE} is missing (apt-get install -y ansible)`);
if (unavailable) console.warn(`\n!!! SKIPPING the production role tests: ${unavailable}\n`);

const FIXTURES = join(REPO, "test/fixtures/ansible");
const STANDINS = ["_node.sh", "kubeadm", "crictl", "systemctl", "apt-mark", "cloud-init", "kubectl"].map((f) => join(FIXTURES, "standins", f));
const CP = "127.0.0.2";
const W1 = "127.0.0.3";
const KUBEADM_IMAGES = [
  "registry.k8s.io/kube-apiserver:v1.31.6", "registry.k8s.io/kube-controller-manager:v1.31.6", "registry.k8s.io/kube-scheduler:v1.31.6",
  "registry.k8s.io/kube-proxy:v1.31.6", "registry.k8s.io/coredns/coredns:v1.11.3", "registry.k8s.io/pause:3.10", "registry.k8s.io/etcd:3.5.15-0",
];
const FLANNEL_IMAGES = ["docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1", "docker.io/flannel/flannel:v0.26.1"];
const HOLDS = ["containerd", "cri-tools", "kubeadm", "kubectl", "kubelet", "kubernetes-cni", "runc"];
const MASKED = "unattended-upgrades.service masked\napt-daily.timer masked\napt-daily-upgrade.timer masked\n";

// Each test runs ansible-playbook once or twice against two nodes: tens of seconds on a loaded two-core machine.
describe.skipIf(unavailable)("production roles against stand-ins", { timeout: 120_000 }, () => {
  const tmp = tempDir("roles");
  let sshd: Sshd;
  let keyPath: string;
  const knownHosts = join(tmp.dir, "known_hosts");
  const inventory = join(tmp.dir, "inventory.yml");
  let manifest: string;
  const host = (ip: string) => join(sshd.share, "hosts", ip);

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(join(tmp.dir, "data"));
    keyPath = key.privateKeyPath;
    sshd = await startSshd({ authorizedKeys: [key.publicKey], addresses: [CP, W1], bin: STANDINS });
    writeFileSync(knownHosts, [CP, W1].map((ip) => `[${ip}]:${sshd.port} ${sshd.hostKey()}`).join("\n") + "\n");
    const node = (ip: string) => ({ ansible_host: ip, fixture_node_dir: host(ip) });
    writeFileSync(inventory, stringify({
      all: {
        vars: { ansible_user: sshd.user.name, ansible_port: sshd.port },
        children: { control_plane: { hosts: { "cs401-lab3-cp": node(CP) } }, workers: { hosts: { "cs401-lab3-w1": node(W1) } } },
      },
    }));
    manifest = join(sshd.share, "kube-flannel.yml"); // readable by the login user
    // Flannel's manifest shape: quoted and unquoted image lines, one image twice.
    writeFileSync(manifest, `kind: DaemonSet\nspec:\n  template:\n    spec:\n      initContainers:\n        - image: "${FLANNEL_IMAGES[0]}"\n        - image: ${FLANNEL_IMAGES[1]}\n      containers:\n        - image: ${FLANNEL_IMAGES[1]}\n`);
  });
  afterAll(async () => {
    await sshd?.stop();
    tmp.remove();
  });

  /** A healthy node: every image present, automatic updates masked, packages held, cloud-init done. */
  function healthyNode(ip: string): void {
    const dir = host(ip);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "kubernetes/labforge"), { recursive: true }); // the control_plane role makes it before anything else
    writeFileSync(join(dir, "kubeadm-images"), KUBEADM_IMAGES.join("\n") + "\n");
    writeFileSync(join(dir, "images"), [...KUBEADM_IMAGES, ...FLANNEL_IMAGES].join("\n") + "\n");
    writeFileSync(join(dir, "units"), MASKED);
    writeFileSync(join(dir, "holds"), HOLDS.join("\n") + "\n");
  }
  /** Hands a node's state to the login user, whose stand-ins write there. */
  function handOver(): void {
    for (const ip of [CP, W1]) chownTree(host(ip), sshd.user.uid, sshd.user.gid);
  }
  const calls = (ip: string) => readFileSync(join(host(ip), "calls.log"), "utf8").trim().split("\n");

  beforeEach(() => { healthyNode(CP); healthyNode(W1); });

  function run(part: "checks" | "recover" | "render"): Promise<{ code: number; out: string }> {
    handOver();
    const vars = {
      fixture_part: part, ansible_ssh_private_key_file: keyPath,
      labforge_tenant: "cs401", labforge_cluster: "lab3", control_plane_ip: CP, pod_cidr: "10.244.0.0/16", labforge_node_name: "cs401-lab3-cp",
      labforge_image: { KUBERNETES_VERSION: "1.31.6", KUBERNETES_MINOR: "1.31", CNI_MANIFEST: manifest },
    };
    return new Promise((resolve) => {
      execFile(ANSIBLE, [join(FIXTURES, "production/site.yml"), "-i", inventory, "-e", JSON.stringify(vars)], {
        env: childEnv({
          ANSIBLE_CONFIG: join(FIXTURES, "ansible.cfg"), ANSIBLE_ROLES_PATH: join(REPO, "ansible/roles"),
          ANSIBLE_SSH_ARGS: ansibleSshArgs(knownHosts), ANSIBLE_NOCOLOR: "1", ANSIBLE_RETRY_FILES_ENABLED: "False",
          ANSIBLE_CALLBACK_RESULT_FORMAT: "json", // one line per message, nothing wrapped
        }),
        timeout: 120_000,
      }, (err, stdout, stderr) => { if (process.env.DEBUG_ROLES) console.log(stdout + stderr); resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }); });
    });
  }

  it("passes a healthy image, waiting for cloud-init before anything else and asking containerd for every image", async () => {
    writeFileSync(join(host(W1), "cloud-init.rc"), "2"); // done, with recoverable errors: fine
    const r = await run("checks");
    expect(r.out).toMatch(/cs401-lab3-cp\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
    expect(r.code).toBe(0);
    for (const ip of [CP, W1]) {
      const log = calls(ip);
      expect(log[0]).toBe("cloud-init status --wait");
      expect(log).toContain("kubeadm config images list --kubernetes-version v1.31.6");
      const asked = log.filter((l) => l.startsWith("crictl inspecti")).map((l) => l.split(" ").at(-1));
      expect(asked.sort()).toEqual([...KUBEADM_IMAGES, ...FLANNEL_IMAGES].sort());
      expect(log).toContain("apt-mark showhold");
    }
  });

  it("names the missing images, the units that could upgrade the node, and the packages not held", async () => {
    writeFileSync(join(host(CP), "images"), KUBEADM_IMAGES.filter((i) => !i.includes("coredns")).join("\n") + `\n${FLANNEL_IMAGES[0]}\n`);
    writeFileSync(join(host(W1), "units"), "unattended-upgrades.service enabled\napt-daily.timer masked\n"); // apt-daily-upgrade.timer not installed
    writeFileSync(join(host(W1), "holds"), "kubeadm\nkubelet\nkubectl\n");
    const r = await run("checks");
    expect(r.code).toBe(2);
    expect(r.out).toContain("cs401-lab3-cp lacks 2 container image(s): registry.k8s.io/coredns/coredns:v1.11.3, docker.io/flannel/flannel:v0.26.1.");
    expect(r.out).toContain("cs401-lab3-w1 would change itself: unattended-upgrades.service must be masked or disabled");
    expect(calls(W1)).not.toContain("apt-mark showhold"); // the first failed check stops the node

    healthyNode(CP);
    healthyNode(W1);
    writeFileSync(join(host(W1), "holds"), "kubeadm\nkubelet\nkubectl\ncri-tools\nkubernetes-cni\n");
    const holds = await run("checks");
    expect(holds.code).toBe(2);
    expect(holds.out).toContain("cs401-lab3-w1 does not hold containerd, runc: an upgrade could replace them");
  });

  it("stops at once when cloud-init failed", async () => {
    writeFileSync(join(host(CP), "cloud-init.rc"), "1");
    const r = await run("checks");
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/FAILED! =>[\s\S]*status: error/);
    expect(calls(CP)).toEqual(["cloud-init status --wait"]);
  });

  it("resets a half-finished init and a half-finished join, then leaves clean nodes alone", async () => {
    for (const f of ["admin.conf", "manifests/kube-apiserver.yaml", "pki/ca.crt"]) touch(join(host(CP), "kubernetes", f));
    for (const f of ["pki/ca.crt", "bootstrap-kubelet.conf"]) touch(join(host(W1), "kubernetes", f));
    const r = await run("recover");
    expect(r.code).toBe(0);
    const reset = "kubeadm reset --force --cri-socket unix:///run/containerd/containerd.sock";
    expect(calls(CP)).toEqual([expect.stringMatching(/^kubectl --kubeconfig .*\/admin\.conf -n kube-system get daemonset kube-proxy -o name$/), reset]);
    expect(calls(W1)).toEqual([reset]);
    expect(readdirSync(join(host(CP), "kubernetes"))).toEqual(["labforge"]);
    expect(readdirSync(join(host(W1), "kubernetes"))).toEqual(["labforge"]);

    const again = await run("recover");
    expect(again.code).toBe(0);
    expect(calls(CP)).toHaveLength(2); // nothing new: no probe, no reset
    expect(calls(W1)).toHaveLength(1);
  });

  it("keeps a finished init: marked by labforge, or an older cluster whose kube-proxy answers", async () => {
    touch(join(host(CP), "kubernetes", "admin.conf"));
    writeFileSync(join(host(CP), "kubectl.rc"), "0");
    expect((await run("recover")).code).toBe(0);
    expect(calls(CP).some((l) => l.startsWith("kubeadm reset"))).toBe(false);
    expect(readFileSync(join(host(CP), "kubernetes/labforge/init-done"), "utf8")).toBe("kubeadm init finished\n");
    expect(existsSync(join(host(CP), "kubernetes/admin.conf"))).toBe(true);

    writeFileSync(join(host(CP), "kubectl.rc"), "1"); // with the marker, the API is not even asked
    expect((await run("recover")).code).toBe(0);
    expect(calls(CP)).toHaveLength(1);
  });

  it("renders a kubeadm config that loads Pod Security defaults, and no 24-hour init token", async () => {
    const r = await run("render");
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(readFileSync(join(host(CP), "kubeadm-init.yaml"), "utf8")).map((d) => d.toJS());
    const init = docs.find((d) => d.kind === "InitConfiguration");
    const cluster = docs.find((d) => d.kind === "ClusterConfiguration");
    expect(init.bootstrapTokens).toEqual([expect.objectContaining({ ttl: "30m", usages: ["signing", "authentication"] })]);
    const admissionDir = join(host(CP), "kubernetes/admission");
    expect(cluster.apiServer.extraArgs).toContainEqual({ name: "admission-control-config-file", value: `${admissionDir}/admission-config.yaml` });
    expect(cluster.apiServer.extraVolumes).toEqual([{ name: "labforge-admission", hostPath: admissionDir, mountPath: admissionDir, readOnly: true, pathType: "DirectoryOrCreate" }]);

    const admission = parseAllDocuments(readFileSync(join(host(CP), "admission-config.yaml"), "utf8"))[0]!.toJS();
    expect(admission).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", kind: "AdmissionConfiguration" });
    const podSecurity = admission.plugins.find((p: { name: string }) => p.name === "PodSecurity").configuration;
    expect(podSecurity.apiVersion).toBe("pod-security.admission.config.k8s.io/v1");
    expect(podSecurity.defaults).toEqual({ enforce: "baseline", "enforce-version": "latest", audit: "restricted", "audit-version": "latest", warn: "restricted", "warn-version": "latest" });
    expect(podSecurity.exemptions).toEqual({ usernames: [], runtimeClasses: [], namespaces: ["kube-system", "kube-flannel"] });
  });
});

function touch(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "");
}

function chownTree(dir: string, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return; // not root: the files are the login user's already
  chownSync(dir, uid, gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}
