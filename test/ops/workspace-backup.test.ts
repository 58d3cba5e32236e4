/**
 * Terraform workspaces through a backup, with the real CLI on the offline fixture module: the archive holds the
 * state and inputs but no secret, and the proxmox driver destroys from a restored workspace what the original made.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import * as tar from "tar";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { openDb } from "../../src/db/open.ts";
import { loadSecretKey } from "../../src/secrets/secret-key.ts";
import { backupDataDir } from "../../src/ops/backup.ts";
import { restoreDataDir } from "../../src/ops/restore.ts";
import { FIXTURE_MODULE, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "../proxmox/support.ts";

const TERRAFORM = "/usr/local/bin/terraform";
const hasTerraform = existsSync(TERRAFORM);
if (!hasTerraform) console.warn(`\n!!! SKIPPING the workspace backup test: ${TERRAFORM} is missing (install Terraform 1.11)\n`);

/** Every file under `dir`, relative, depth first. */
function walk(dir: string, rel = ""): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, r) : [r];
  });
}

describe.skipIf(!hasTerraform)("terraform workspaces in a backup", () => {
  const tmp = tempDir("ws-backup");
  afterAll(() => tmp.remove());
  const secret = tokenSecret();
  const driver = (dataDir: string) => new ProxmoxDriver({
    dataDir, proxmox: proxmoxConfig(), tokenSecret: secret, moduleDir: FIXTURE_MODULE, terraformBin: TERRAFORM, env: TF_ENV, killAfterMs: 2_000,
  });

  it("archives state and inputs, no token, private key or .terraform/; a restored workspace plans no change and destroys", async () => {
    const dataDir = join(tmp.dir, "data");
    mkdirSync(dataDir, { mode: 0o700 });
    (await openDb(join(dataDir, "labforge.db"))).close();
    loadSecretKey(dataDir);
    const spec = clusterSpec({ ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"] });
    const original = driver(dataDir);
    await original.prepare(spec, recordingContext());
    await original.apply(spec, recordingContext());
    const ws = workspaceOf(dataDir, spec.id);
    expect(existsSync(join(ws, ".terraform"))).toBe(true);

    const out = join(tmp.dir, "b.tar.gz");
    const r = await backupDataDir({ dataDir, out, secrets: [secret] });
    expect(r.manifest.workspaces).toEqual([spec.id]);
    expect(r.notArchived.some((n) => n.startsWith("ssh: "))).toBe(true);
    const x = join(tmp.dir, "x");
    mkdirSync(x);
    await tar.x({ file: out, cwd: x });
    const files = walk(join(x, "workspaces", spec.id)).sort();
    // (The fixture needs no provider, so there is no .terraform.lock.hcl; with bpg/proxmox it is archived too.)
    // Each workspace owns a copy of the module it was made with (module/), so the restored one destroys with its own code.
    expect(readdirSync(ws).sort()).toEqual([".terraform", "labforge-workspace.json", "main.tf.json", "module", "terraform.tfstate", "terraform.tfvars.json"]);
    expect(files.filter((f) => !f.startsWith("module/"))).toEqual(["labforge-workspace.json", "main.tf.json", "terraform.tfstate", "terraform.tfvars.json"]);
    expect(files).toContain("module/main.tf");
    expect(files.some((f) => f.startsWith(".terraform"))).toBe(false);
    // Nothing secret anywhere in what was archived besides the database and the key.
    const privateKey = readFileSync(join(dataDir, "ssh", "id_ed25519"), "utf8").split("\n").filter((l) => l && !l.startsWith("-----"));
    for (const f of walk(x).filter((f) => f.startsWith("workspaces/") || f === "manifest.json")) {
      const text = readFileSync(join(x, f), "utf8");
      for (const needle of [secret, ...privateKey]) expect(text.includes(needle), `${f} holds a secret`).toBe(false);
    }

    const restored = join(tmp.dir, "restored");
    await restoreDataDir({ archive: out, dataDir: restored });
    const rws = workspaceOf(restored, spec.id);
    expect(statSync(join(rws, "terraform.tfstate")).mode & 0o777).toBe(0o600);
    // terraform init rebuilds .terraform/; the restored state matches what exists: no change to plan.
    const env = { ...process.env, ...TF_ENV, TF_VAR_proxmox_api_token: secret };
    expect(spawnSync(TERRAFORM, ["init", "-input=false", "-no-color"], { cwd: rws, env, encoding: "utf8" }).status).toBe(0);
    const plan = spawnSync(TERRAFORM, ["plan", "-detailed-exitcode", "-input=false", "-no-color"], { cwd: rws, env, encoding: "utf8" });
    expect(plan.status, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    // A labforge started on the restored dir can still destroy the cluster.
    const ctx = recordingContext();
    await driver(restored).destroy(spec, ctx);
    expect(ctx.progressed.at(-1)).toBe("resources 3/3 destroyed");
    expect(existsSync(rws)).toBe(false);
  }, 120_000);
});
