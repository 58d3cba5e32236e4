/** The proxmox driver behind a real core: chat command → terraform (fixture) → sshd → ansible → kubeconfig DM → delete; then a leak hunt. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { Writable } from "node:stream";
import { join } from "node:path";
import { parse } from "yaml";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { loadOrCreateKeyPair, type SshKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { createLogger } from "../../src/log.ts";
import { Redactor } from "../../src/util/redact.ts";
import { baseConfig, makeCore, type TestCore } from "../helpers/harness.ts";
import { sshdUnavailable, startSshd, type Sshd } from "../helpers/sshd.ts";
import { FIXTURE_MODULE, FIXTURE_PLAYBOOK, TF_ENV, proxmoxConfig, tempDir, tokenSecret } from "./support.ts";

const unavailable = sshdUnavailable()
  ?? (existsSync("/usr/bin/ansible-playbook") ? undefined : "ansible-playbook is missing (apt-get install -y ansible)")
  ?? (existsSync("/usr/local/bin/terraform") ? undefined : "/usr/local/bin/terraform is missing");
if (unavailable) console.warn(`\n!!! SKIPPING the proxmox driver's end-to-end tests: ${unavailable}\n`);

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe.skipIf(unavailable)("proxmox driver end to end", () => {
  const tmp = tempDir("e2e");
  const dataDir = join(tmp.dir, "data");
  const secret = tokenSecret();
  const driverLogs: string[] = [];
  let sshd: Sshd;
  let key: SshKeyPair;
  let t: TestCore;
  /** The data dir's files while the cluster existed (destroy removes its workspace). */
  const snapshot: [string, string][] = [];
  const readAll = () => files(dataDir).filter((f) => f !== join(dataDir, "ssh", "id_ed25519")).map((f): [string, string] => [f, readFileSync(f).toString("latin1")]);

  beforeAll(async () => {
    key = await loadOrCreateKeyPair(dataDir);
    sshd = await startSshd({ authorizedKeys: [key.publicKey], addresses: ["127.0.0.5", "127.0.0.6"] });
    const config = baseConfig();
    config.network = { pool: "127.0.0.5-127.0.0.6", prefix: 24, gateway: "127.0.0.254", dns: ["127.0.0.53"] };
    config.infra = { driver: "proxmox", proxmox: { ...proxmoxConfig(), ssh_user: sshd.user.name } };
    // Nobody told this redactor the token: whatever keeps it out of the logs is the driver's doing.
    const redactor = new Redactor();
    const log = createLogger("debug", redactor, new Writable({ write(chunk, _e, cb) { driverLogs.push(String(chunk)); cb(); } }) as never);
    t = await makeCore({
      config, dataDir, redactor,
      driver: (c, dir) => new ProxmoxDriver({
        dataDir: dir, proxmox: c.infra.proxmox!, tokenSecret: secret, redactor, log,
        moduleDir: FIXTURE_MODULE, playbook: FIXTURE_PLAYBOOK, env: TF_ENV, sshPort: sshd.port, killAfterMs: 2_000,
        remote: { sudo: false, adminKubeconfig: join(sshd.share, "lab5", "admin.conf") },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await sshd?.stop();
    tmp.remove();
  });

  const clusterNamed = (name: string) => t.core.app.db.k.selectFrom("clusters").selectAll().where("name", "=", name).orderBy("created_at", "desc").executeTakeFirstOrThrow();

  // One full-suite run on a loaded machine timed out here once and could not be reproduced: keep the evidence next time.
  beforeEach(() => {
    onTestFailed(() => {
      const jobs = t?.core.app.db.sqlite.prepare("select kind, state, current_step, last_step, last_error from jobs").all();
      console.error(`jobs: ${JSON.stringify(jobs)}\ndriver and core log tail:\n${[...driverLogs, ...(t?.logs ?? [])].slice(-40).join("")}`);
    });
  });

  it("provisions a cluster from a chat command, DMs a kubeconfig for the control plane, and deletes it", async () => {
    await t.cmd("console:eve", "create lab5 workers=1", "console:#dsg");
    await t.idle();
    const c = await clusterNamed("lab5");
    expect(c.failure).toBeNull();
    expect(c.state).toBe("ready");
    const steps = t.port.sent.filter((s) => s.kind === "thread").map((s) => s.card.title);
    expect(steps).toEqual(["✓ Preparing workspace", "✓ Cloning VMs", "✓ Waiting for SSH", "✓ Installing Kubernetes", "✓ Fetching kubeconfig", "✓ Sending kubeconfig"]);
    expect(t.port.sent.find((s) => s.card.title === "✓ Cloning VMs")!.card.text).toContain("2 VMs: dsg-lab5-cp 127.0.0.5, dsg-lab5-w1 127.0.0.6");
    const dm = t.port.dmsTo("console:eve").find((s) => s.file)!;
    expect(dm.file!.filename).toBe("dsg-lab5.kubeconfig");
    expect(parse(dm.file!.content).clusters[0].cluster.server).toBe("https://127.0.0.5:6443");
    const job = await t.core.app.db.k.selectFrom("jobs").selectAll().where("cluster_id", "=", c.id).executeTakeFirstOrThrow();
    expect(job.log_tail).toContain("resources 2/2 applied");
    expect(job.log_tail).toContain("control_plane : Initialise the control plane · dsg-lab5-cp: changed");
    snapshot.push(...readAll());
    expect(snapshot.map(([f]) => f)).toContain(join(dataDir, "workspaces", c.id, "terraform.tfstate"));

    expect((await t.press("console:eve", "delete.confirm", c.id)).code).toBeUndefined();
    await t.idle();
    expect((await clusterNamed("lab5")).state).toBe("deleted");
    expect(existsSync(join(dataDir, "workspaces", c.id))).toBe(false);
  });

  it("reports a failed playbook in the thread, then destroys what it made and frees the IPs", async () => {
    await t.cmd("console:eve", "create fail5 workers=1", "console:#dsg");
    await t.idle();
    const c = await clusterNamed("fail5");
    expect(c.state).toBe("failed");
    expect(c.failure).toMatch(/^Failed at “Installing Kubernetes”: the playbook failed: failed on dsg-fail5-(cp|w1) at “common : Fail on purpose/);
    const report = t.port.sent.find((s) => s.kind === "thread" && s.card.title === "✗ Installing Kubernetes failed")!;
    expect(report.card.code).toContain("fixture failure for fail5");
    expect(existsSync(join(dataDir, "workspaces", c.id))).toBe(false);
    expect(await t.core.app.db.k.selectFrom("ip_allocations").select("ip").where("cluster_id", "=", c.id).execute()).toEqual([]);
  });

  it("left the token, the private key and the admin's client key nowhere: files, logs, chat", async () => {
    const bodyLines = key.privateKey.toString("utf8").split("\n").filter((l) => l && !l.startsWith("-----"));
    const needles = [secret, `labforge@pve!bot=${secret}`, ...bodyLines, "RklYVFVSRS1BRE1JTi1LRVk="];
    expect(bodyLines.length).toBeGreaterThan(2);
    const haystacks: [string, string][] = [
      ...snapshot, ...readAll(),
      ["core log", t.logs.join("")], ["driver log", driverLogs.join("")],
      ["chat (except the kubeconfig file itself)", JSON.stringify(t.port.sent.map((s) => ({ ...s, file: s.file?.filename })))],
    ];
    expect(haystacks.length).toBeGreaterThan(4);
    expect(driverLogs.join("")).toContain('"tool":"ansible"'); // the driver did log, at debug level
    const hits = haystacks.flatMap(([where, text]) => needles.filter((n) => text.includes(n)).map((n) => `${where}: ${n.slice(0, 12)}…`));
    expect(hits).toEqual([]);
  });
});
