/** Writes a cluster's Terraform workspace: a root module calling the k8s-cluster module, and its non-secret inputs. */
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { ensureSubPath, workspaceOf } from "../workspace.ts";
import type { ClusterSpec } from "../driver.ts";
import type { ModuleInput, ProxmoxConfig } from "./options.ts";

/** The module contract's inputs and their types (iac/modules/k8s-cluster/variables.tf). */
const VARIABLES: Record<string, string> = {
  cluster_id: "string", cluster_name: "string", tenant: "string",
  workers: "number", vcpus: "number", memory_mb: "number", disk_gb: "number",
  ips: "list(string)", prefix: "number", gateway: "string", dns: "list(string)",
  ssh_public_key: "string", ssh_user: "string",
  proxmox_endpoint: "string", proxmox_api_token: "string", proxmox_insecure: "bool", proxmox_nodes: "list(string)",
  placement: "list(string)", vm_ids: "list(number)",
  template_vmid: "number", datastore: "string", bridge: "string", linked_clones: "bool", started: "bool",
  kubernetes_version: "string", pod_cidr: "string",
};

/**
 * Inputs that decide where and from what a VM is cloned (`node_name`, `vm_id`
 * and `clone.*` force replacement): fixed when the workspace is made, so a
 * config change never replaces the VMs of a cluster that already exists.
 */
export const FROZEN_INPUTS = ["proxmox_nodes", "template_vmid", "datastore", "linked_clones", "placement", "vm_ids"] as const;

/** Per-node lists that keep the entries of nodes that exist and take fresh ones only for new positions. */
const PER_NODE = new Set(["placement", "vm_ids"]);

/** Fresh inputs with the frozen ones taken from the workspace's earlier terraform.tfvars.json. */
export function freezeInputs(fresh: Record<string, unknown>, earlier: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!earlier) return fresh;
  const out = { ...fresh };
  const n = Number(fresh.workers) + 1;
  for (const k of FROZEN_INPUTS) {
    // A per-node list missing from an existing workspace (made before it existed) means what empty means.
    if (!(k in earlier) && !PER_NODE.has(k)) continue;
    const old = earlier[k] ?? [];
    const now = fresh[k];
    if (!PER_NODE.has(k)) { out[k] = old; continue; }
    const o = Array.isArray(old) ? old : [];
    const f = Array.isArray(now) ? now : [];
    // Empty stays empty (Proxmox chose); existing positions keep their value; new positions take the fresh one.
    out[k] = o.length === 0 ? [] : o.length >= n ? o.slice(0, n) : f.length === n ? [...o, ...f.slice(o.length)] : f;
  }
  return out;
}

/** Whether a per-node input needs fresh values: a new workspace, or one whose VMs grew beyond the list it has. */
export function needsFreshPerNode(earlier: Record<string, unknown> | undefined, key: "placement" | "vm_ids", nodes: number): boolean {
  if (!earlier) return true;
  const old = earlier[key];
  return Array.isArray(old) && old.length > 0 && old.length < nodes;
}

/** Only the inputs a module declares: a module copy made by an older labforge may lack newer ones. */
export function declaredOnly(vars: Record<string, unknown>, declared: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => declared.has(k)));
}

/** terraform.tfvars.json: every input except the API token, which only ever travels as TF_VAR_proxmox_api_token. */
export function tfvars(spec: ClusterSpec, px: ProxmoxConfig, sshPublicKey: string, placement: string[] = [], vmIds: number[] = []): Record<string, unknown> {
  return {
    cluster_id: spec.id, cluster_name: spec.name, tenant: spec.tenant,
    workers: spec.workers, vcpus: spec.vcpus, memory_mb: spec.memoryMb, disk_gb: spec.diskGb,
    ips: spec.ips, prefix: spec.prefix, gateway: spec.gateway, dns: spec.dns,
    ssh_public_key: sshPublicKey, ssh_user: px.ssh_user,
    // The provider wants the API root without /api2/json.
    proxmox_endpoint: `${new URL(px.endpoint).origin}/`, proxmox_insecure: px.insecure, proxmox_nodes: px.nodes,
    placement, vm_ids: vmIds,
    template_vmid: px.template_vmid, datastore: px.datastore, bridge: px.bridge, linked_clones: px.linked_clones,
    kubernetes_version: spec.kubernetesVersion, pod_cidr: spec.podCidr,
    // Running unless a stop said otherwise: power.auto.tfvars.json (day2.ts) is read after this file and wins.
    started: true,
  };
}

/**
 * main.tf.json: Terraform's JSON syntax, generated with JSON.stringify so no
 * input can break out into HCL. `source` is "./module", the workspace's own
 * copy (`terraform init` only symlinks a local module, so an absolute path to
 * the repository would make every workspace follow the repository's module);
 * workspaces made before copies existed keep their absolute path. Only the
 * contract variables the module declares are passed.
 */
export function rootModule(source: string, configureProxmox: boolean, extra: Record<string, ModuleInput> = {}, declared?: Set<string>): Record<string, unknown> {
  const names = Object.keys(VARIABLES).filter((n) => !declared || declared.has(n));
  const args: Record<string, unknown> = { source };
  for (const name of names) args[name] = `\${var.${name}}`;
  for (const [k, v] of Object.entries(extra)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(k) || k in VARIABLES || k === "source") throw new Error(`module input ${k} is not allowed`);
    // JSON-syntax strings are templates: escape interpolation so a literal stays literal.
    args[k] = typeof v === "string" ? v.replaceAll("${", "$${").replaceAll("%{", "%%{") : v;
  }
  const variable = Object.fromEntries(names.map((k) => [k, k === "proxmox_api_token" ? { type: VARIABLES[k], sensitive: true } : { type: VARIABLES[k] }]));
  return {
    terraform: {
      required_version: ">= 1.9.0, < 2.0.0",
      ...(configureProxmox ? { required_providers: { proxmox: { source: "bpg/proxmox" } } } : {}),
    },
    ...(configureProxmox ? {
      // A module must not configure its own provider; the root does, from the variables.
      provider: { proxmox: { endpoint: "${var.proxmox_endpoint}", api_token: "${var.proxmox_api_token}", insecure: "${var.proxmox_insecure}" } },
    } : {}),
    variable,
    module: { cluster: args },
    output: { nodes: { value: "${module.cluster.nodes}" } },
  };
}

/** Whether the module needs the bpg/proxmox provider configured by the root (the offline test fixture does not). */
export async function moduleNeedsProxmox(moduleDir: string): Promise<boolean> {
  const names = (await readdir(moduleDir)).filter((n) => n.endsWith(".tf"));
  for (const n of names) {
    if (/source\s*=\s*"(registry\.terraform\.io\/)?bpg\/proxmox"/.test(await readFile(join(moduleDir, n), "utf8"))) return true;
  }
  return false;
}

/**
 * Creates the workspace atomically (files written and `onCreate` run in a temp
 * dir that is then renamed), or, when it already exists, rewrites just the
 * given files, each atomically, leaving the module copy, terraform state and
 * lock file, known_hosts and .terraform alone.
 */
export async function writeWorkspace(dataDir: string, clusterId: string, files: Record<string, string>, onCreate?: (dir: string) => Promise<void>): Promise<string> {
  const dir = workspaceOf(dataDir, clusterId);
  const root = resolve(dataDir, "workspaces");
  await mkdir(root, { recursive: true, mode: 0o700 });
  for (const stale of (await readdir(root)).filter((n) => n.startsWith(`.tmp-${clusterId}-`))) {
    await rm(ensureSubPath(root, stale), { recursive: true, force: true }); // left by a crash mid-prepare
  }
  if (!existsSync(dir)) {
    const tmp = await mkdtemp(join(root, `.tmp-${clusterId}-`)); // mode 0700
    for (const [name, text] of Object.entries(files)) await writeFile(join(tmp, name), text, { mode: 0o600 });
    try {
      await onCreate?.(tmp);
      await rename(tmp, dir); // replaces an empty directory, fails on a non-empty one
      return dir;
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      if (!["ENOTEMPTY", "EEXIST"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    }
  }
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(ensureSubPath(dir, name), text);
  return dir;
}

/** Writes a file (mode 0600) through a temp file and a rename, so readers never see half of it. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString("hex")}`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
