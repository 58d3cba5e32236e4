/** What the proxmox driver can be told, and the production defaults (the repository's iac/ and ansible/). */
import { REPO_ROOT } from "../../util/repo-root.ts";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Config } from "../../config/schema.ts";
import type { Logger } from "../../log.ts";
import type { Redactor } from "../../util/redact.ts";
import { proxmoxApi, type ProxmoxApi } from "./proxmox-api.ts";
import type { VmidAllocator } from "./vmid-pool.ts";
export type ProxmoxConfig = NonNullable<Config["infra"]["proxmox"]>;

/** A literal value handed to the Terraform module as an input. */
export type ModuleInput = string | number | boolean;

export interface ProxmoxDriverOptions {
  dataDir: string;
  proxmox: ProxmoxConfig;
  /** The secret half of the API token (PROXMOX_TOKEN_SECRET). */
  tokenSecret: string;
  /** The k8s-cluster module (default: iac/modules/k8s-cluster of this checkout). */
  moduleDir?: string;
  /** Literal extra inputs for the module (tests: the fixture's hang_seconds). */
  moduleInputs?: Record<string, ModuleInput>;
  /** The playbook (default: ansible/site.yml); its directory's ansible.cfg is used when present. */
  playbook?: string;
  terraformBin?: string;
  ansiblePlaybookBin?: string;
  /** Extra environment for terraform and ansible-playbook (e.g. TF_CLI_CONFIG_FILE). */
  env?: Record<string, string>;
  /** The nodes' SSH port (22; tests use sshd on a high port). */
  sshPort?: number;
  /** How the remote side runs kubectl and reads the admin kubeconfig. */
  remote?: Partial<RemoteOptions>;
  /** Grace between SIGTERM and SIGKILL for an aborted process tree. */
  killAfterMs?: number;
  /** One SSH connection attempt may take this long. */
  sshAttemptTimeoutMs?: number;
  /** kubectl calls (which have no step timeout of their own) are abandoned after this long. */
  kubectlTimeoutMs?: number;
  /** queue.max_parallel_clones: VMs cloned at once across all applies (default 2). */
  maxParallelClones?: number;
  /** The Proxmox API for placement and guest-agent host keys (default: a client for infra.proxmox.endpoint with the token). */
  api?: ProxmoxApi;
  /** VM ids from infra.proxmox.vmid_range; without it Proxmox picks the ids. */
  vmids?: VmidAllocator;
  /** Redacts what the driver logs; the driver registers the token and the private key with it. */
  redactor?: Redactor;
  log?: Logger;
}

export interface RemoteOptions {
  /** Run remote commands through `sudo -n` (the nodes' admin.conf is root's). */
  sudo: boolean;
  /** The kubectl executable on the control plane. */
  kubectl: string;
  /** Where kubeadm wrote the admin kubeconfig. */
  adminKubeconfig: string;
}

export type ResolvedOptions = Required<Omit<ProxmoxDriverOptions, "log" | "ansibleConfig" | "vmids" | "api">> & {
  api: ProxmoxApi;
  remote: RemoteOptions;
  vmids: VmidAllocator | undefined;
  ansibleConfig: string | undefined;
  log: Logger | undefined;
};

const REPO = REPO_ROOT;

/** Fills in the defaults. */
export function resolveOptions(o: ProxmoxDriverOptions, redactor: Redactor): ResolvedOptions {
  // The workspace's known_hosts path goes into ssh -o options, which split values on whitespace.
  if (/[\s"'\\]/.test(resolve(o.dataDir))) throw new Error(`the data dir ${JSON.stringify(o.dataDir)} must not contain spaces, quotes or backslashes for the proxmox driver`);
  const playbook = resolve(o.playbook ?? join(REPO, "ansible/site.yml"));
  const cfg = join(dirname(playbook), "ansible.cfg");
  return {
    dataDir: resolve(o.dataDir), proxmox: o.proxmox, tokenSecret: o.tokenSecret,
    moduleDir: resolve(o.moduleDir ?? join(REPO, "iac/modules/k8s-cluster")),
    moduleInputs: o.moduleInputs ?? {},
    playbook, ansibleConfig: existsSync(cfg) ? cfg : undefined,
    terraformBin: o.terraformBin ?? "terraform",
    ansiblePlaybookBin: o.ansiblePlaybookBin ?? "ansible-playbook",
    env: o.env ?? {},
    sshPort: o.sshPort ?? 22,
    remote: { sudo: true, kubectl: "kubectl", adminKubeconfig: "/etc/kubernetes/admin.conf", ...o.remote },
    // Terraform persists state on SIGTERM once in-flight API calls return; give it time before SIGKILL.
    killAfterMs: o.killAfterMs ?? 60_000,
    sshAttemptTimeoutMs: o.sshAttemptTimeoutMs ?? 15_000,
    kubectlTimeoutMs: o.kubectlTimeoutMs ?? 60_000,
    maxParallelClones: o.maxParallelClones ?? 2,
    vmids: o.vmids,
    api: o.api ?? proxmoxApi({ endpoint: o.proxmox.endpoint, tokenId: o.proxmox.token_id, tokenSecret: o.tokenSecret, insecure: o.proxmox.insecure }),
    redactor, log: o.log,
  };
}
