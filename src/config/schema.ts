/** The labforge.yaml schema (SPEC §4): structure only; secrets come from the environment. */
import { z } from "zod";
import { parseDuration, DURATION_HINT } from "./duration.ts";
import { isTimeZone } from "../util/local-time.ts";
import { intToIp, ipToInt, parseRange, sameSubnet, IPV4 } from "../ippool/ipv4.ts";
import { namespaceDefaults, namespacePolicy } from "./namespace-defaults.ts";

export const ROLES = ["viewer", "student", "ta", "instructor"] as const;
export type Role = (typeof ROLES)[number];

export const IDENTITY_RE = /^(slack|discord|console):[A-Za-z0-9._-]{1,64}$/;
export const TENANT_ID_RE = /^[a-z][a-z0-9-]{1,31}$/;

const identity = z.string().regex(IDENTITY_RE, "expected an identity like slack:U0ABC123 or discord:1200000000000000001");
const channelRef = z.string().regex(/^(slack|discord|console):[A-Za-z0-9#._-]{1,80}$/, "expected a channel like slack:C0CS401 or discord:1100000000000000001");
const duration = z.string().refine((s) => parseDuration(s) !== undefined, `expected ${DURATION_HINT}`).transform((s) => parseDuration(s)!);
const count = z.number().int("expected a whole number").min(0, "expected a number ≥ 0");
const positive = z.number().int("expected a whole number").min(1, "expected a number ≥ 1");

/**
 * For checks across fields: run only when every field of the object parsed, so one wrong value gives one
 * problem, not a follow-on ("extend_step must not exceed max_ttl" when only max_ttl was mistyped).
 */
const onlyWhenValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

const quota = z.strictObject({
  clusters: count.optional(),
  nodes: count.optional(),
  vcpus: count.optional(),
  memory_gb: count.optional(),
});

const limits = z.strictObject({
  max_workers: count.max(50, "expected a number ≤ 50").default(3),
  per_user_clusters: count.default(1),
  default_ttl: duration.prefault("14d"),
  max_ttl: duration.prefault("60d"),
  /** How far the Extend button of the expiry reminder moves the expiry; unset means 7d (at most max_ttl). */
  extend_step: duration.optional(),
  /** No extend, by anyone, moves the expiry further than this from the cluster's creation (kubeadm's certificates last a year). */
  max_lifetime: duration.prefault("180d").refine((ms) => ms <= 365 * 86_400_000, "expected at most 52w (kubeadm's certificates expire after a year)"),
}).superRefine((l, ctx) => {
  if (l.default_ttl > l.max_ttl) ctx.addIssue({ code: "custom", path: ["default_ttl"], message: "default_ttl must not exceed max_ttl" });
  if (l.extend_step !== undefined && l.extend_step > l.max_ttl) ctx.addIssue({ code: "custom", path: ["extend_step"], message: "extend_step must not exceed max_ttl" });
  if (l.max_ttl > l.max_lifetime) ctx.addIssue({ code: "custom", path: ["max_ttl"], message: "max_ttl must not exceed max_lifetime" });
}, onlyWhenValid);

/** Day-2 (issue 17): stop a running cluster `after` its last start, and/or every day `at` HH:MM in the tenant's timezone. */
const autoStop = z.strictObject({
  after: duration.optional(),
  at: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'expected a time of day like "22:00"').optional(),
}).refine((a) => a.after !== undefined || a.at !== undefined, "expected after: <duration>, at: \"HH:MM\", or both");

const tenant = z.strictObject({
  name: z.string().min(1).max(100),
  channels: z.array(channelRef).min(1, "expected at least one channel"),
  approvals: z.enum(["none", "students", "everyone"]).default("students"),
  approval_channel: channelRef.optional(),
  approval_timeout: duration.prefault("72h"),
  quota: quota.prefault({}),
  limits: limits.prefault({}),
  namespace_policy: namespacePolicy,
  namespace_defaults: namespaceDefaults,
  timezone: z.string().refine(isTimeZone, "expected an IANA time zone like Europe/Berlin or UTC").default("UTC"),
  auto_stop: autoStop.optional(),
});

const member = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  identities: z.array(identity).min(1, "expected at least one identity"),
  roles: z.record(z.string().regex(TENANT_ID_RE, "expected a tenant id"), z.enum(ROLES)).default({}),
});

const size = z.strictObject({ vcpus: positive, memory_mb: positive, disk_gb: positive });
const DEFAULT_SIZES = {
  small: { vcpus: 2, memory_mb: 2048, disk_gb: 20 },
  medium: { vcpus: 2, memory_mb: 4096, disk_gb: 30 },
  large: { vcpus: 4, memory_mb: 8192, disk_gb: 40 },
};

const ipv4 = z.string().regex(IPV4, "expected an IPv4 address like 10.40.19.254");
const network = z.strictObject({
  pool: z.string().refine((s) => parseRange(s) !== undefined, "expected a range like 10.40.19.201-10.40.19.250"),
  prefix: z.number().int().min(8, "expected a prefix from 8 to 30").max(30, "expected a prefix from 8 to 30"),
  gateway: ipv4,
  dns: z.array(ipv4).min(1).default(["1.1.1.1"]),
}).superRefine((n, ctx) => {
  const range = parseRange(n.pool)!;
  const gw = ipToInt(n.gateway)!;
  if (!sameSubnet(range.first, range.last, n.prefix)) {
    ctx.addIssue({ code: "custom", path: ["pool"], message: `the pool must lie inside one /${n.prefix} network` });
    return; // the checks below compare against that one network
  }
  if (gw >= range.first && gw <= range.last) ctx.addIssue({ code: "custom", path: ["gateway"], message: "the gateway must lie outside the pool" });
  else if (!sameSubnet(range.first, gw, n.prefix)) ctx.addIssue({ code: "custom", path: ["gateway"], message: `the gateway must lie in the pool's /${n.prefix} network` });
  const size = 2 ** (32 - n.prefix);
  const networkAddress = Math.floor(range.first / size) * size;
  if (range.first === networkAddress) ctx.addIssue({ code: "custom", path: ["pool"], message: `the pool must not hold the network address ${intToIp(networkAddress)}` });
  if (range.last === networkAddress + size - 1) ctx.addIssue({ code: "custom", path: ["pool"], message: `the pool must not hold the broadcast address ${intToIp(networkAddress + size - 1)}` });
  for (const [i, dns] of n.dns.entries()) {
    const ip = ipToInt(dns)!;
    if (ip >= range.first && ip <= range.last) ctx.addIssue({ code: "custom", path: ["dns", i], message: `the DNS server ${dns} must lie outside the pool` });
  }
}, onlyWhenValid);

const proxmox = z.strictObject({
  endpoint: z.url(),
  token_id: z.string().regex(/^[^\s!]+@[^\s!]+![A-Za-z0-9._-]+$/, "expected a token id like labforge@pve!bot"),
  insecure: z.boolean().default(false),
  nodes: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/)).min(1),
  template_vmid: z.number().int().min(100),
  datastore: z.string().min(1),
  bridge: z.string().min(1),
  linked_clones: z.boolean().default(true),
  /** Whether `datastore` is shared by all `nodes` (Ceph, NFS, iSCSI); local-lvm and the like are not. */
  shared_storage: z.boolean().default(false),
  ssh_user: z.string().regex(/^[a-z_][a-z0-9_-]*$/).default("labforge"),
  /** free_memory: each VM on the node with the most free memory (read from the API); round_robin: in turn. */
  placement: z.enum(["free_memory", "round_robin"]).default("free_memory"),
  /** guest_agent: a node's SSH host key is read through the QEMU guest agent before first contact; first_contact: pinned when first seen. */
  host_keys: z.enum(["guest_agent", "first_contact"]).default("guest_agent"),
  /** Where VM ids come from ("41000-41999"); unset, Proxmox picks the next free id. */
  vmid_range: z.string().refine((s) => parseVmidRange(s) !== undefined, "expected a range of VM ids like 41000-41999 (100–999999999)").optional(),
}).superRefine((p, ctx) => {
  // A linked clone cannot take the provider's clone-then-migrate path to another node's local disk.
  if (p.linked_clones && p.nodes.length > 1 && !p.shared_storage) {
    ctx.addIssue({ code: "custom", path: ["linked_clones"], message: `linked clones on ${p.nodes.length} nodes need shared storage, and ${p.datastore} is not marked shared: use a datastore all nodes share (and set shared_storage: true), list only the template's node in nodes, or set linked_clones: false (full clones, which migrate to the other nodes)` });
  }
  const r = p.vmid_range === undefined ? undefined : parseVmidRange(p.vmid_range);
  if (r && p.template_vmid >= r.first && p.template_vmid <= r.last) {
    ctx.addIssue({ code: "custom", path: ["vmid_range"], message: `the range must not contain template_vmid ${p.template_vmid}` });
  }
});

/** Parses "41000-41999" into its first and last VM id; undefined when malformed or outside Proxmox's 100–999999999. */
export function parseVmidRange(s: string): { first: number; last: number } | undefined {
  const m = /^\s*(\d{3,9})\s*-\s*(\d{3,9})\s*$/.exec(s);
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  return first >= 100 && first <= last ? { first, last } : undefined;
}

const infra = z.strictObject({
  driver: z.enum(["simulated", "proxmox"]).default("simulated"),
  keep_failed: z.boolean().default(false),
  simulated: z.strictObject({
    step_ms: count.default(300),
    fail: z.record(z.string(), z.enum(["prepare", "apply", "wait_ssh", "configure", "kubeconfig", "stop", "start", "join", "drain"])).default({}),
  }).prefault({}),
  proxmox: proxmox.optional(),
  kubernetes: z.strictObject({
    version: z.string().regex(/^1\.[0-9]{2}$/, 'expected a minor version like "1.31"').default("1.31"),
    pod_cidr: z.string().regex(/^[0-9.]+\/[0-9]{1,2}$/).default("10.244.0.0/16"),
  }).prefault({}),
});

export const configSchema = z.strictObject({
  admins: z.array(identity).default([]),
  tenants: z.record(z.string().regex(TENANT_ID_RE, "tenant ids are lowercase letters, digits and '-', 2–32 characters"), tenant)
    .refine((t) => Object.keys(t).length > 0, "expected at least one tenant"),
  members: z.array(member).default([]),
  network,
  sizes: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,15}$/), size).default(DEFAULT_SIZES),
  queue: z.strictObject({
    max_parallel_jobs: positive.max(64).default(3),
    max_parallel_clones: positive.max(64).default(2),
  }).prefault({}),
  infra: infra.prefault({}),
}).superRefine((c, ctx) => {
  for (const [i, m] of c.members.entries()) {
    for (const t of Object.keys(m.roles)) {
      if (!Object.hasOwn(c.tenants, t)) ctx.addIssue({ code: "custom", path: ["members", i, "roles", t], message: `unknown tenant "${t}"` });
    }
  }
  // One identity is one person: listing it under two members would make ownership and approvals ambiguous.
  const owner = new Map<string, number>();
  for (const [i, m] of c.members.entries()) {
    for (const [j, id] of m.identities.entries()) {
      const first = owner.get(id);
      if (first !== undefined && first !== i) {
        const who = (k: number) => c.members[k]!.name ? `members[${k}] (${c.members[k]!.name})` : `members[${k}]`;
        ctx.addIssue({ code: "custom", path: ["members", i, "identities", j], message: `${id} is listed under both ${who(first)} and ${who(i)}; one identity belongs to one person, so keep it under one member` });
      }
      owner.set(id, first ?? i);
    }
  }
  const seen = new Map<string, string>();
  for (const [id, t] of Object.entries(c.tenants)) {
    for (const ch of t.channels) {
      const other = seen.get(ch);
      if (other) ctx.addIssue({ code: "custom", path: ["tenants", id, "channels"], message: `channel ${ch} is already bound to tenant ${other}` });
      seen.set(ch, id);
    }
  }
  // An approval channel shows request details; another course's channel would show them to that course.
  for (const [id, t] of Object.entries(c.tenants)) {
    const owner = t.approval_channel === undefined ? undefined : seen.get(t.approval_channel);
    if (owner !== undefined && owner !== id) {
      ctx.addIssue({ code: "custom", path: ["tenants", id, "approval_channel"], message: `${t.approval_channel} is a course channel of tenant ${owner}; use a staff channel of ${id}` });
    }
  }
  if (!Object.hasOwn(c.sizes, "small")) ctx.addIssue({ code: "custom", path: ["sizes"], message: "a size named small is required (it is the default)" });
  if (c.infra.driver === "proxmox" && !c.infra.proxmox) ctx.addIssue({ code: "custom", path: ["infra", "proxmox"], message: "required when infra.driver is proxmox" });
});

export type Config = z.infer<typeof configSchema>;
export type TenantConfig = Config["tenants"][string];
export type SizeConfig = Config["sizes"][string];
