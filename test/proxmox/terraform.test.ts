/** The proxmox driver's terraform side, with the real CLI on the offline fixture module. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { processGroupMembers } from "../../src/provisioning/proxmox/process-tree.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { sleep } from "../../src/util/sleep.ts";
import { FIXTURE_MODULE, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

const TERRAFORM = "/usr/local/bin/terraform";
const hasTerraform = existsSync(TERRAFORM);
if (!hasTerraform) console.warn(`\n!!! SKIPPING the terraform driver tests: ${TERRAFORM} is missing (install Terraform 1.11)\n`);

describe.skipIf(!hasTerraform)("proxmox driver: terraform", () => {
  const tmp = tempDir("tf");
  const secret = tokenSecret();
  const driver = (dataDir: string, over: Partial<ConstructorParameters<typeof ProxmoxDriver>[0]> = {}) => new ProxmoxDriver({
    dataDir, proxmox: proxmoxConfig(), tokenSecret: secret, moduleDir: FIXTURE_MODULE,
    terraformBin: TERRAFORM, env: TF_ENV, killAfterMs: 2_000, ...over,
  });
  /** Process groups a test started: killed at the end even when an assertion failed first. */
  const started = new Set<number>();
  afterAll(() => {
    for (const g of started) try { process.kill(-g, "SIGKILL"); } catch { /* gone, as it should be */ }
    tmp.remove();
  });

  it("prepares an atomic workspace, applies, returns the nodes, converges again, and destroys idempotently", async () => {
    const dataDir = join(tmp.dir, "cycle");
    const d = driver(dataDir);
    const spec = clusterSpec({ ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"] });
    const ws = workspaceOf(dataDir, spec.id);

    // What a crash halfway through an earlier prepare would have left.
    mkdirSync(join(dataDir, "workspaces", `.tmp-${spec.id}-crashed`), { recursive: true });
    await d.prepare(spec, recordingContext());
    expect(readdirSync(ws).sort()).toEqual(["labforge-workspace.json", "main.tf.json", "module", "terraform.tfvars.json"]);
    // The workspace owns a copy of the module (files 0600), not a reference to the repository's.
    expect(readdirSync(join(ws, "module")).sort()).toEqual(readdirSync(FIXTURE_MODULE).sort());
    expect(readFileSync(join(ws, "module/main.tf"), "utf8")).toBe(readFileSync(join(FIXTURE_MODULE, "main.tf"), "utf8"));
    expect(statSync(join(ws, "module/main.tf")).mode & 0o777).toBe(0o600);
    expect(statSync(ws).mode & 0o777).toBe(0o700);
    expect(statSync(join(ws, "terraform.tfvars.json")).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dataDir, "workspaces")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    const vars = JSON.parse(readFileSync(join(ws, "terraform.tfvars.json"), "utf8"));
    expect(vars).not.toHaveProperty("proxmox_api_token");
    expect(vars).toMatchObject({ cluster_id: spec.id, workers: 2, ips: spec.ips, ssh_user: "labforge", proxmox_nodes: ["pve1", "pve2"], vm_ids: [] });
    expect(vars.ssh_public_key).toBe(readFileSync(join(dataDir, "ssh/id_ed25519.pub"), "utf8").trim());
    const root = JSON.parse(readFileSync(join(ws, "main.tf.json"), "utf8"));
    expect(root.module.cluster.source).toBe("./module");
    expect(root.provider).toBeUndefined(); // the fixture has no provider to configure

    const ctx = recordingContext();
    const nodes = await d.apply(spec, ctx);
    expect(nodes).toEqual([
      { name: "cs401-lab3-cp", role: "control_plane", ip: "10.40.19.201", vmid: 1000 },
      { name: "cs401-lab3-w1", role: "worker", ip: "10.40.19.202", vmid: 1001 },
      { name: "cs401-lab3-w2", role: "worker", ip: "10.40.19.203", vmid: 1002 },
    ]);
    expect(ctx.progressed[0]).toBe("resources 0/3 applied");
    expect(ctx.progressed.at(-1)).toBe("resources 3/3 applied");
    expect(ctx.logs).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    expect(existsSync(join(ws, "terraform.tfstate"))).toBe(true);

    // A resumed job runs the step again: nothing changes, same nodes.
    const again = recordingContext();
    expect(await d.apply(spec, again)).toEqual(nodes);
    expect(again.logs).toContain("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");

    const gone = recordingContext();
    await d.destroy(spec, gone);
    expect(gone.progressed.at(-1)).toBe("resources 3/3 destroyed");
    expect(existsSync(ws)).toBe(false);
    const twice = recordingContext();
    await d.destroy(spec, twice);
    expect(twice.logs).toEqual(["no workspace: nothing to destroy"]);
  });

  it("fails a bad apply with a StepError carrying terraform's diagnostic, and destroy copes with the empty state", async () => {
    const dataDir = join(tmp.dir, "bad");
    const d = driver(dataDir);
    // The fixture's precondition refuses a pod network that contains a node address.
    const spec = clusterSpec({ podCidr: "10.40.0.0/16" });
    const err = await d.apply(spec, recordingContext()).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining("terraform apply failed: Resource precondition failed") });
    expect((err as { logTail: string[] }).logTail.join("\n")).toContain("lies inside pod_cidr 10.40.0.0/16");
    const ctx = recordingContext();
    await d.destroy(spec, ctx);
    expect(ctx.logs).toContain("terraform state is empty: nothing to destroy");
    expect(existsSync(workspaceOf(dataDir, spec.id))).toBe(false);
  });

  it("fails with a clear message when terraform cannot be started", async () => {
    const d = driver(join(tmp.dir, "missing"), { terraformBin: join(tmp.dir, "no-such-terraform") });
    await expect(d.apply(clusterSpec(), recordingContext())).rejects.toThrow(/^could not run .*no-such-terraform: .*ENOENT/);
  });

  it("shares one plugin cache and passes the token only in terraform's environment", async () => {
    // A copy of the fixture module plus a resource whose local-exec reports what terraform's environment holds.
    const moduleDir = join(tmp.dir, "probe-module");
    cpSync(FIXTURE_MODULE, moduleDir, { recursive: true });
    writeFileSync(join(moduleDir, "probe.tf"), [
      'resource "terraform_data" "probe" {',
      '  provisioner "local-exec" {',
      '    command = "echo cache=$TF_PLUGIN_CACHE_DIR; echo token_sha=$(printf %s \\"$TF_VAR_proxmox_api_token\\" | sha256sum | cut -c1-64); echo leaked=$${PROXMOX_TOKEN_SECRET:-none}; echo argv=$(tr \'\\\\000\' \' \' < /proc/$PPID/cmdline)"',
      "  }",
      "}",
    ].join("\n"));
    const dataDir = join(tmp.dir, "cache");
    process.env.PROXMOX_TOKEN_SECRET = secret; // as in production: it must stay in the bot's environment
    try {
      const d = driver(dataDir, { moduleDir });
      const reports = [];
      for (const name of ["lab-a", "lab-b"]) {
        const ctx = recordingContext();
        const spec = clusterSpec({ name });
        await d.apply(spec, ctx);
        reports.push(Object.fromEntries(ctx.logs.filter((l) => l.startsWith("module.cluster.terraform_data.probe: "))
          .map((l) => l.slice(l.indexOf(": ") + 2)).filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)])));
        await d.destroy(spec, recordingContext());
      }
      const cache = join(dataDir, "terraform-plugin-cache");
      expect(statSync(cache).isDirectory()).toBe(true);
      expect(reports.map((r) => r.cache)).toEqual([cache, cache]);
      const expected = createHash("sha256").update(`labforge@pve!bot=${secret}`).digest("hex");
      expect(reports.map((r) => r.token_sha)).toEqual([expected, expected]);
      expect(reports.map((r) => r.leaked)).toEqual(["none", "none"]);
      expect(reports[0]!.argv).toMatch(/terraform apply -auto-approve -input=false -json -parallelism=2/);
      expect(reports[0]!.argv).not.toContain(secret);
    } finally {
      delete process.env.PROXMOX_TOKEN_SECRET;
    }
  });

  it("kills a hung apply's whole process group at the timeout, and a later run (even past an orphan) succeeds", async () => {
    const dataDir = join(tmp.dir, "hang");
    const spec = clusterSpec({ ips: ["10.40.19.210"] });
    const ws = workspaceOf(dataDir, spec.id);
    const hung = driver(dataDir, { moduleInputs: { hang_seconds: 300 } });
    // Every process group the driver starts (init, then apply), and whether apply's sleep was seen in one.
    const groups = new Set<number>();
    let sawSleep = false;
    const watch = setInterval(() => {
      try {
        const g = JSON.parse(readFileSync(join(ws, ".labforge-terraform.pid"), "utf8")).pgid;
        groups.add(g);
        started.add(g);
      } catch { /* between runs */ }
      sawSleep ||= [...groups].some((g) => processGroupMembers(g).some((p) => commandOf(p).startsWith("sleep")));
    }, 50);
    const began = Date.now();
    const err = await hung.apply(spec, recordingContext(AbortSignal.timeout(5_000))).catch((e: unknown) => e);
    clearInterval(watch);
    expect(err).toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - began).toBeLessThan(60_000); // killed at its timeout, not after the 300 s sleep
    expect(sawSleep).toBe(true);
    for (const g of groups) expect(processGroupMembers(g)).toEqual([]);

    // A bot killed mid-apply leaves its terraform running and holding the state lock.
    // (-replace: the interrupted apply may or may not have recorded the hang resource.)
    const orphan = spawn(TERRAFORM, ["apply", "-auto-approve", "-input=false", "-replace=module.cluster.terraform_data.hang[0]"], {
      cwd: ws, detached: true, stdio: "ignore",
      env: { PATH: process.env.PATH, ...TF_ENV, TF_VAR_proxmox_api_token: "labforge@pve!bot=x" },
    });
    started.add(orphan.pid!);
    writeFileSync(join(ws, ".labforge-terraform.pid"), JSON.stringify({ pgid: orphan.pid }));
    const sleeping = () => processGroupMembers(orphan.pid!).some((p) => commandOf(p).startsWith("sleep"));
    for (let i = 0; i < 100 && !sleeping(); i++) await sleep(100);
    expect(sleeping()).toBe(true);

    const nodes = await driver(dataDir).apply(spec, recordingContext());
    expect(nodes.map((n) => n.name)).toEqual(["cs401-lab3-cp"]);
    expect(processGroupMembers(orphan.pid!)).toEqual([]);
    await driver(dataDir).destroy(spec, recordingContext());
  }, 90_000); // four real terraform runs, one of them waiting out a 5 s timeout: slow on a busy machine
});

function commandOf(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { return ""; }
}
