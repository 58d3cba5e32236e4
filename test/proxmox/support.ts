/** Shared pieces of the proxmox driver tests: fixture paths, a config, specs, a recording step context, temp dirs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { ClusterSpec, StepContext } from "../../src/provisioning/driver.ts";
import type { ProxmoxConfig } from "../../src/provisioning/proxmox/options.ts";

export const REPO = resolve(import.meta.dirname, "../..");
export const FIXTURE_MODULE = join(REPO, "test/fixtures/terraform/k8s-cluster");
export const FIXTURE_PLAYBOOK = join(REPO, "test/fixtures/ansible/site.yml");
export const KUBECTL_STANDIN = join(REPO, "test/fixtures/kubectl-standin/kubectl");
/** No CLI config and no checkpoint calls: the tests run offline. */
export const TF_ENV = { TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };

/** A token secret the Redactor's patterns would not recognise on their own, so a leak shows. */
export function tokenSecret(): string {
  return `tok${randomBytes(12).toString("hex")}`;
}

/** infra.proxmox as the schema makes it. */
export function proxmoxConfig(over: Partial<ProxmoxConfig> = {}): ProxmoxConfig {
  return {
    endpoint: "https://pve1.dept.example:8006/", token_id: "labforge@pve!bot", insecure: false,
    nodes: ["pve1", "pve2"], template_vmid: 9000, datastore: "local-lvm", bridge: "vmbr0",
    linked_clones: true, shared_storage: true, ssh_user: "labforge",
    // No Proxmox API here: the driver tests that want one start the fake (fake-proxmox-api.ts) and say so.
    placement: "round_robin", host_keys: "first_contact", ...over,
  };
}

/** A valid spec with a fresh cluster id; `ips` decides the worker count. */
export function clusterSpec(over: Partial<ClusterSpec> = {}): ClusterSpec {
  const ips = over.ips ?? ["10.40.19.201", "10.40.19.202"];
  return {
    id: `c-${randomBytes(6).toString("hex")}`, tenant: "cs401", name: "lab3", workers: ips.length - 1,
    vcpus: 2, memoryMb: 2048, diskGb: 20, ips, prefix: 24, gateway: "10.40.19.254", dns: ["10.40.2.1"],
    kubernetesVersion: "1.31", podCidr: "10.244.0.0/16", ...over,
  };
}

export interface RecordingContext extends StepContext {
  logs: string[];
  progressed: string[];
}

/** A StepContext that keeps what the driver reported. */
export function recordingContext(signal: AbortSignal = AbortSignal.timeout(60_000)): RecordingContext {
  const logs: string[] = [];
  const progressed: string[] = [];
  return { signal, logs, progressed, log: (l) => logs.push(l), progress: (d) => progressed.push(d) };
}

/** A temp directory and its removal. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `labforge-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
