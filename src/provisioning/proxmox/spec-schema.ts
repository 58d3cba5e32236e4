/** zod checks for what the proxmox driver passes to terraform, ansible and SSH: the cluster spec and terraform's node list. */
import { z } from "zod";
import { IPV4 } from "../../ippool/ipv4.ts";
import { CLUSTER_ID_RE } from "../../util/ids.ts";
import { TENANT_ID_RE } from "../../config/schema.ts";
import { StepError, type ClusterSpec, type NodeInfo } from "../driver.ts";

const ipv4 = z.string().regex(IPV4);
/** SPEC §1: a DNS-1123 label of 3–24 characters. */
const CLUSTER_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/);

const specSchema = z.object({
  id: z.string().regex(CLUSTER_ID_RE),
  tenant: z.string().regex(TENANT_ID_RE),
  name: z.string().min(3).max(24).regex(CLUSTER_NAME_RE),
  workers: z.number().int().min(0).max(50),
  vcpus: z.number().int().min(1).max(256),
  memoryMb: z.number().int().min(1024),
  // The template's disk is 12 GiB and a clone can only grow.
  diskGb: z.number().int().min(12, "must be at least the template's 12 GiB"),
  ips: z.array(ipv4).min(1),
  prefix: z.number().int().min(8).max(30),
  gateway: ipv4,
  dns: z.array(ipv4).min(1),
  kubernetesVersion: z.string().regex(/^1\.\d{2}$/),
  podCidr: cidr,
}).refine((s) => s.ips.length === s.workers + 1, "a cluster needs one IP per node (control plane first)");

/** Node names end up in inventories, known_hosts comments and chat: DNS labels only. */
export const nodeSchema = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/),
  role: z.enum(["control_plane", "worker"]),
  ip: ipv4,
  vmid: z.number().int().min(1),
});

/** Returns the spec when every field is safe to use in paths, files and commands; throws a StepError otherwise. */
export function checkSpec(spec: ClusterSpec): ClusterSpec {
  const r = specSchema.safeParse(spec);
  if (!r.success) throw new StepError(`invalid cluster spec: ${r.error.issues.map((i) => `${i.path.join(".") || "spec"}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** Checks a node list (from terraform or the database): valid entries, exactly one control plane, listed first. */
export function checkNodes(nodes: unknown): NodeInfo[] {
  const r = z.array(nodeSchema).min(1).safeParse(nodes);
  if (!r.success) throw new StepError(`invalid node list: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const list = r.data;
  if (list[0]!.role !== "control_plane" || list.filter((n) => n.role === "control_plane").length !== 1) {
    throw new StepError("invalid node list: expected exactly one control_plane node, listed first");
  }
  return list;
}

/** The control-plane node of a checked list. */
export function controlPlane(nodes: NodeInfo[]): NodeInfo {
  return checkNodes(nodes)[0]!;
}
