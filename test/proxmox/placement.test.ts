/** Issue 14.9: VMs placed by free memory, read from the Proxmox API (the fake), refused with the numbers before anything is cloned. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { placeByFreeMemory } from "../../src/provisioning/proxmox/placement.ts";
import { ProxmoxApiRefused, proxmoxApi } from "../../src/provisioning/proxmox/proxmox-api.ts";
import { ProxmoxDriver } from "../../src/provisioning/proxmox/proxmox-driver.ts";
import { workspaceOf } from "../../src/provisioning/workspace.ts";
import { startFakeProxmoxApi, type FakeProxmoxApi } from "./fake-proxmox-api.ts";
import { FIXTURE_MODULE, TF_ENV, clusterSpec, proxmoxConfig, recordingContext, tempDir, tokenSecret } from "./support.ts";

describe("placement by free memory", () => {
  const status = (free: Record<string, number>) => Object.entries(free).map(([node, f]) => ({ node, online: true, memFreeMb: f, memTotalMb: 65536 }));

  it("puts each VM where the most memory is left, ties in the configured order", () => {
    const r = placeByFreeMemory(["cp", "w1", "w2", "w3"], 4096, ["pve1", "pve2", "pve3"], status({ pve1: 10000, pve2: 16000, pve3: 10000 }));
    // pve2 16000 → 11904 → pve2 again (11904 > 10000) → 7808 → pve1 10000 → pve3 10000.
    expect(r).toEqual({ ok: true, placement: ["pve2", "pve2", "pve1", "pve3"] });
  });

  it("skips nodes that are offline or not in the list, and refuses with every node's numbers when nothing fits", () => {
    const nodes = [...status({ pve1: 5000, pve9: 99999 }), { node: "pve2", online: false, memFreeMb: 99999, memTotalMb: 99999 }];
    expect(placeByFreeMemory(["cp"], 4096, ["pve1", "pve2"], nodes)).toEqual({ ok: true, placement: ["pve1"] });
    expect(placeByFreeMemory(["cs401-lab3-cp", "cs401-lab3-w1"], 4096, ["pve1", "pve2", "pve3"], nodes)).toEqual({
      ok: false,
      message: "no Proxmox node has room for cs401-lab3-w1 (4096 MiB) after placing the cluster's first 1 VM(s): pve1: 904 MiB free of 65536; pve2: offline; pve3: not in the Proxmox cluster. Pick a smaller size, fewer workers, or free memory on a node",
    });
  });
});

describe("the driver with the Proxmox API", () => {
  const tmp = tempDir("place");
  const secret = tokenSecret();
  let api: FakeProxmoxApi;
  beforeAll(async () => {
    api = await startFakeProxmoxApi(tmp.dir, `PVEAPIToken=labforge@pve!bot=${secret}`);
  });
  afterAll(async () => {
    await api?.stop();
    tmp.remove();
  });
  const driver = (dataDir: string) => new ProxmoxDriver({
    dataDir, tokenSecret: secret, moduleDir: FIXTURE_MODULE, terraformBin: "/usr/local/bin/terraform", env: TF_ENV,
    proxmox: proxmoxConfig({ endpoint: api.endpoint, insecure: true, placement: "free_memory" }),
  });

  it("writes the placement into the workspace at prepare, and refuses a cluster no node has room for before terraform runs", async () => {
    api.nodes = [{ node: "pve1", memMb: 60000, maxMemMb: 65536 }, { node: "pve2", memMb: 10000, maxMemMb: 65536 }];
    const dataDir = join(tmp.dir, "data");
    const spec = clusterSpec({ ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"], memoryMb: 8192 });
    await driver(dataDir).prepare(spec, recordingContext());
    const vars = JSON.parse(readFileSync(join(workspaceOf(dataDir, spec.id), "terraform.tfvars.json"), "utf8"));
    expect(vars.placement).toEqual(["pve2", "pve2", "pve2"]); // pve1 has 5536 MiB free, less than one VM
    expect(api.requests).toContain("GET /api2/json/nodes");

    // Asked once: a resumed step keeps the placement even though the free memory has changed since.
    api.requests.length = 0;
    api.nodes = [{ node: "pve1", memMb: 0, maxMemMb: 65536 }, { node: "pve2", memMb: 60000, maxMemMb: 65536 }];
    await driver(dataDir).prepare(spec, recordingContext());
    expect(api.requests).toEqual([]);

    const big = clusterSpec({ name: "big", memoryMb: 70000, ips: ["10.40.19.211"] });
    await expect(driver(dataDir).prepare(big, recordingContext())).rejects.toThrow(
      "no Proxmox node has room for cs401-big-cp (70000 MiB): pve1: 65536 MiB free of 65536; pve2: 5536 MiB free of 65536.");
    expect(existsSync(workspaceOf(dataDir, big.id))).toBe(false);
  });

  it.skipIf(!existsSync("/usr/local/bin/terraform"))("hands the placement to the module (the fixture records each VM's node)", async () => {
    api.nodes = [{ node: "pve1", memMb: 0, maxMemMb: 16384 }, { node: "pve2", memMb: 0, maxMemMb: 4096 }];
    const dataDir = join(tmp.dir, "apply");
    const spec = clusterSpec({ ips: ["10.40.19.201", "10.40.19.202", "10.40.19.203"], memoryMb: 4096 });
    const d = driver(dataDir);
    await d.apply(spec, recordingContext());
    const state = JSON.parse(readFileSync(join(workspaceOf(dataDir, spec.id), "terraform.tfstate"), "utf8"));
    const placed = state.resources.filter((r: { type: string; name: string }) => r.type === "terraform_data" && r.name === "node")
      .flatMap((r: { instances: { attributes: { input: { value: { name: string; proxmox_node: string } } } }[] }) => r.instances.map((i) => i.attributes.input.value))
      .map((v: { name: string; proxmox_node: string }) => `${v.name}@${v.proxmox_node}`).sort();
    // pve1 16384 → cp; 12288 → w1; 8192 vs pve2's 4096 → w2 on pve1 too.
    expect(placed).toEqual(["cs401-lab3-cp@pve1", "cs401-lab3-w1@pve1", "cs401-lab3-w2@pve1"]);
    await d.destroy(spec, recordingContext());
  }, 90_000); // a real terraform apply and destroy: seconds alone, longer beside the rest of the suite on two cores

  it("says what is wrong with the token, the privileges or the certificate", async () => {
    const good = { endpoint: api.endpoint, tokenId: "labforge@pve!bot", tokenSecret: secret, insecure: true };
    await expect(proxmoxApi({ ...good, tokenSecret: "wrong" }).nodes()).rejects.toThrow("the Proxmox API refused the token labforge@pve!bot (401) while listing nodes (Sys.Audit): check PROXMOX_TOKEN_SECRET");
    api.forceStatus = 403;
    try {
      const err = await proxmoxApi(good).readGuestFile("pve1", 1000, "/etc/ssh/ssh_host_ed25519_key.pub").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProxmoxApiRefused);
      expect((err as Error).message).toContain("the token labforge@pve!bot lacks the privilege for reading /etc/ssh/ssh_host_ed25519_key.pub through the guest agent of VM 1000 (VM.GuestAgent.FileRead on PVE 9, VM.Monitor on PVE 8) (403)");
    } finally {
      api.forceStatus = undefined;
    }
    await expect(proxmoxApi({ ...good, insecure: false }).nodes()).rejects.toThrow(/could not be reached: .*self[- ]signed/i);
    const leaked = api.requests.join("\n");
    expect(leaked).not.toContain(secret); // the token never goes into the URL
  });
});
