/** kubectl over SSH: the remote side receives exactly the argv that was meant, and nothing in it is ever executed. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, chownSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { shellJoin } from "../../src/provisioning/proxmox/shell-quote.ts";
import type { NodeInfo } from "../../src/provisioning/driver.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { KUBECTL_STANDIN, REPO, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

/** Arguments no shell may interpret: any text, and text made mostly of shell metacharacters. */
const metachars = fc.constantFrom("'", '"', "$", "`", "\\", ";", "|", "&", " ", "(", ")", "{", "}", "*", "~", "!", "#", "<", ">", "a", "é");
const printable = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ unit: metachars, maxLength: 20 })).filter((s) => !/[\0\n\r]/.test(s));

describe("shell quoting", () => {
  it("round-trips any argument without NUL or line breaks through a real sh", () => {
    const args = fc.sample(printable, 300).concat(["", "'", "''", "'\\''", "$(id)", "`id`", "; rm -rf /", "a\tb", "\\", "!", "*"]);
    const out = execFileSync("sh", ["-c", `printf '%s\\0' ${shellJoin(args)}`]);
    expect(out.toString("utf8").split("\0").slice(0, -1)).toEqual(args);
  });
});

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`\n!!! SKIPPING the kubectl-over-SSH tests: ${unavailable}\n`);

describe.skipIf(unavailable)("proxmox driver: kubectl over SSH", () => {
  const tmp = tempDir("kubectl");
  const dataDir = join(tmp.dir, "data");
  let sshd: Sshd;
  let driver: ProxmoxDriver;
  const spec = clusterSpec({ ips: ["127.0.0.4"], gateway: "127.0.0.254" });
  const nodes: NodeInfo[] = [{ name: "cs401-lab3-cp", role: "control_plane", ip: "127.0.0.4", vmid: 1000 }];
  const calls = () => join(sshd.share, "kubectl");
  const recorded = (): { argv: string[]; stdin: string }[] => readdirSync(calls()).filter((f) => f.endsWith(".argv")).sort().map((f) => ({
    argv: readFileSync(join(calls(), f), "utf8").split("\0").slice(0, -1),
    stdin: readFileSync(join(calls(), f.replace(".argv", ".stdin")), "utf8"),
  }));
  const reply = (files: Record<string, string>) => {
    for (const f of ["reply.stdout", "reply.stderr", "reply.exit", "reply.sleep"]) rmSync(join(calls(), f), { force: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(calls(), f), text);
  };

  beforeAll(async () => {
    const key = await loadOrCreateKeyPair(dataDir);
    sshd = await startSshd({ authorizedKeys: [key.publicKey], addresses: ["127.0.0.4"], bin: [KUBECTL_STANDIN, join(REPO, "test/fixtures/kubectl-standin/sudo")] });
    mkdirSync(calls());
    chownSync(calls(), sshd.user.uid, sshd.user.gid);
    // Production remote settings (sudo, `kubectl`, /etc/kubernetes/admin.conf); sudo is a stand-in here.
    driver = new ProxmoxDriver({ dataDir, proxmox: proxmoxConfig({ ssh_user: sshd.user.name }), tokenSecret: tokenSecret(), sshPort: sshd.port, kubectlTimeoutMs: 2_000 });
    await driver.prepare(spec, recordingContext());
    await driver.waitForSsh(spec, nodes, recordingContext());
  });
  afterAll(async () => {
    await sshd?.stop();
    tmp.remove();
  });

  it("delivers hostile arguments verbatim through sudo, with stdin, exit code and output passed back", async () => {
    const canary = (n: number) => join(sshd.share, `pwned-${n}`);
    const argv = [
      "create", "namespace", "; rm -rf /", `$(touch ${canary(1)})`, `\`touch ${canary(2)}\``, `; touch ${canary(3)}`,
      `&& touch ${canary(4)}`, `| touch ${canary(5)}`, `' ; touch ${canary(6)}; '`, `" ; touch ${canary(7)}; "`,
      "with space", "it's", "$HOME", "~", "*", "\\", "--flag=a b", "", "tab\there", "ünïcødé ✓",
    ];
    reply({ "reply.stdout": "namespace/x created\n", "reply.stderr": "a warning\n", "reply.exit": "3" });
    const stdin = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"$(touch x)\"\n";
    const r = await driver.kubectl(spec, nodes, argv, stdin);
    expect(r).toEqual({ exitCode: 3, stdout: "namespace/x created\n", stderr: "a warning\n" });
    expect(recorded().at(-1)).toEqual({ argv: ["--kubeconfig", "/etc/kubernetes/admin.conf", ...argv], stdin });
    for (let n = 1; n <= 7; n++) expect(existsSync(canary(n)), `canary ${n}`).toBe(false);
    expect(readFileSync(join(sshd.share, "sudo.log"), "utf8")).toMatch(/^kubectl --kubeconfig \/etc\/kubernetes\/admin\.conf create namespace/m);
  });

  it("round-trips random arguments exactly", async () => {
    reply({});
    for (const argv of fc.sample(fc.array(printable, { minLength: 1, maxLength: 30 }), 4)) {
      await driver.kubectl(spec, nodes, argv);
      expect(recorded().at(-1)!.argv).toEqual(["--kubeconfig", "/etc/kubernetes/admin.conf", ...argv]);
    }
  });

  it("rejects NUL and line breaks before anything is sent", async () => {
    const before = recorded().length;
    for (const bad of ["a\nb", "a\0b", "a\rb"]) {
      await expect(driver.kubectl(spec, nodes, ["get", bad])).rejects.toThrow(/kubectl argument 1 rejected: must not contain NUL or line breaks/);
    }
    await expect(driver.kubectl(spec, nodes, [])).rejects.toThrow(/kubectl argument/);
    expect(recorded().length).toBe(before);
  });

  it("gives up on a kubectl that hangs at its timeout", async () => {
    reply({ "reply.sleep": "30" });
    try {
      await expect(driver.kubectl(spec, nodes, ["get", "ns"])).rejects.toThrow("kubectl on cs401-lab3-cp timed out after 2 s");
    } finally {
      reply({});
      const pidFile = readdirSync(calls()).find((f) => f.endsWith(".sleep-pid"));
      if (pidFile) try { process.kill(Number(readFileSync(join(calls(), pidFile), "utf8")), "SIGKILL"); } catch { /* already gone */ }
    }
  });

  it("reports a missing admin kubeconfig with the remote error, not a hang", async () => {
    const err = await driver.fetchKubeconfig(spec, nodes, recordingContext()).catch((e: unknown) => e);
    expect((err as Error).message).toBe("could not read /etc/kubernetes/admin.conf on cs401-lab3-cp (exit 1)");
    expect((err as { logTail: string[] }).logTail.join("\n")).toContain("No such file or directory");
  });
});
