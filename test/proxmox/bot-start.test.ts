/** What an operator sees when starting the real bot (`npm start`) with the proxmox driver: config refusals (14.2, 14.10) and the workspace report (14.1). */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { runScript } from "../helpers/bot-process.ts";
import { tempDir } from "./support.ts";

const proxmox = { endpoint: "https://pve1.dept.example:8006/", token_id: "labforge@pve!bot", nodes: ["pve1"], template_vmid: 9000, datastore: "local-lvm", bridge: "vmbr0" };

function configFile(dir: string, px: Record<string, unknown>): string {
  const file = join(dir, `labforge-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify({
    tenants: { cs401: { name: "CS401", channels: ["console:#cs401"] } },
    members: [{ identities: ["console:ada"], roles: { cs401: "instructor" } }],
    network: { pool: "10.40.19.201-10.40.19.250", prefix: 24, gateway: "10.40.19.254" },
    infra: { driver: "proxmox", proxmox: { ...proxmox, ...px } },
  }));
  return file;
}

describe("starting the bot with infra.proxmox", () => {
  const tmp = tempDir("botpx");
  afterAll(() => tmp.remove());
  const env = (config: string, dataDir: string) => ({
    LABFORGE_CONFIG: config, LABFORGE_DATA_DIR: dataDir, PROXMOX_TOKEN_SECRET: "s3cret-not-logged", LOG_LEVEL: "warn",
  });

  it("refuses linked clones on two nodes with local storage, and a bad vmid_range, listing both with the fix", async () => {
    const r = await runScript("", env(configFile(tmp.dir, { nodes: ["pve1", "pve2"], vmid_range: "9000-9999" }), join(tmp.dir, "refused")));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("labforge cannot start");
    expect(r.stderr).toContain("infra.proxmox.linked_clones: linked clones on 2 nodes need shared storage, and local-lvm is not marked shared: use a datastore all nodes share (and set shared_storage: true), list only the template's node in nodes, or set linked_clones: false");
    expect(r.stderr).toContain("infra.proxmox.vmid_range: the range must not contain template_vmid 9000");
  }, 60_000);

  it("starts with a vmid_range and reports workspaces made with an older module", async () => {
    const dataDir = join(tmp.dir, "report");
    // A workspace as a labforge with another module left it, and one from before module copies.
    const older = join(dataDir, "workspaces", "c-0lder0000000");
    mkdirSync(join(older, "module"), { recursive: true, mode: 0o700 });
    writeFileSync(join(older, "labforge-workspace.json"), JSON.stringify({ format: 2, moduleFingerprint: "0".repeat(64), createdAt: "2026-01-01T00:00:00.000Z" }));
    mkdirSync(join(dataDir, "workspaces", "c-1egacy000000"), { recursive: true, mode: 0o700 });
    const r = await runScript("/wait\n", env(configFile(tmp.dir, { vmid_range: "41000-41999" }), dataDir));
    expect(r.stderr).not.toContain("cannot start");
    expect(r.code).toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain("1 cluster workspace(s) were made with an older k8s-cluster module; they keep their own copy until destroyed");
    expect(out).toContain("c-0lder0000000");
    expect(out).toContain("1 cluster workspace(s) predate module copies");
    expect(out).not.toContain("s3cret-not-logged");
  }, 60_000);
});
