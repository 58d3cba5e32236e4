/** The command grammar (SPEC §2): one declaration per command, shared by the parser, help and adapters. */

export type ValueKind =
  | "cluster" | "request" | "duration" | "workers" | "size" | "tenant" | "scope" | "text" | "command"
  /** A Kubernetes namespace: a DNS-1123 label of at most 63 characters. */
  | "namespace"
  /** A tenant role: viewer, student, ta or instructor. */
  | "role"
  /** A person: an identity (`slack:U0ADA`) or a chat mention (`<@U0ADA>`), resolved on the caller's platform. */
  | "person"
  /** A subcommand chosen from the argument's `choices` (`ns create|delete|list|kubeconfig`). */
  | "subcommand"
  /** A worker count for `scale`: 0 to 50 (the tenant's max_workers for owners; TAs and up may go beyond it). */
  | "worker_target"

  /** A class session's name: a DNS label of 3–20 characters (its clusters are `<session>-01` …). */
  | "session"
  /** When a class session's lab starts: `tue 14:00`, `2026-12-08T14:00`, `14:00`, `+3h`, in the tenant's time zone. */
  | "time"
  /** Who gets a cluster in a class session: `students`, or a comma-separated list of identities or mentions. */
  | "roster";

export interface ArgSpec {
  name: string;
  kind: ValueKind;
  required: boolean;
  /** Takes the rest of the line (free text such as a reason). */
  rest?: boolean;
  description: string;
  choices?: readonly string[];
}

export interface OptionSpec {
  key: string;
  kind: ValueKind;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  who: string;
  args: readonly ArgSpec[];
  options: readonly OptionSpec[];
  examples: readonly string[];
}

const tenantOpt: OptionSpec = { key: "tenant", kind: "tenant", description: "tenant id (defaults to the channel's tenant, or your only tenant)" };
const clusterArg: ArgSpec = { name: "name", kind: "cluster", required: true, description: "cluster name" };

export const GRAMMAR: readonly CommandSpec[] = [
  {
    name: "create", summary: "request a new cluster", who: "students and staff",
    args: [clusterArg],
    options: [
      { key: "workers", kind: "workers", description: "number of worker nodes (0 to the tenant's max_workers)" },
      { key: "size", kind: "size", description: "node size" },
      { key: "ttl", kind: "duration", description: "lifetime (up to the tenant's max_ttl)" },
      tenantOpt,
    ],
    examples: ["create lab3", "create lab3 workers=2 size=medium ttl=7d"],
  },
  {
    name: "list", summary: "list clusters", who: "everyone in a tenant",
    args: [{ name: "scope", kind: "scope", required: false, choices: ["mine", "all"], description: "mine (default for students) or all (staff)" }],
    options: [tenantOpt],
    examples: ["list", "list all tenant=cs401"],
  },
  {
    name: "status", summary: "show a cluster's state, nodes, expiry and last step", who: "the owner and staff",
    args: [clusterArg], options: [tenantOpt], examples: ["status lab3"],
  },
  {
    name: "delete", summary: "destroy a cluster (asks to confirm)", who: "the owner and staff",
    args: [clusterArg], options: [tenantOpt], examples: ["delete lab3"],
  },
  {
    name: "kubeconfig", summary: "send a cluster's kubeconfig again, by direct message", who: "the owner and instructors",
    args: [clusterArg], options: [tenantOpt], examples: ["kubeconfig lab3"],
  },
  {
    name: "extend", summary: "move a cluster's expiry later", who: "the owner (up to the tenant's max_ttl from now) and instructors (beyond it)",
    args: [clusterArg, { name: "duration", kind: "duration", required: true, description: "how much longer, added to the current expiry" }],
    options: [tenantOpt], examples: ["extend lab3 7d", "extend lab3 12h"],
  },
  {
    name: "stop", summary: "power the VMs off, keeping IPs and kubeconfig; frees its vCPU and memory quota (not clusters, nodes)", who: "the owner and staff",
    args: [clusterArg], options: [tenantOpt], examples: ["stop lab3"],
  },
  {
    name: "start", summary: "power a stopped cluster on (needs vCPU and memory quota again); ready once every node is Ready", who: "the owner and staff",
    args: [clusterArg], options: [tenantOpt], examples: ["start lab3"],
  },
  {
    name: "scale", summary: "add or remove workers (removed ones drained first); more workers need nodes, vCPU and memory quota", who: "the owner (up to the tenant's max_workers) and staff (beyond it)",
    args: [clusterArg],
    options: [{ key: "workers", kind: "worker_target", description: "the number of workers the cluster should have (required)" }, tenantOpt],
    examples: ["scale lab3 workers=3", "scale lab3 workers=0"],
  },
  {
    name: "rebuild", summary: "re-create the VMs on the same IPs (confirm first); new kubeconfig by DM; stopped: needs vCPU quota", who: "the owner and staff",
    args: [clusterArg], options: [tenantOpt], examples: ["rebuild lab3"],
  },
  {
    name: "ns", summary: "create, delete or list namespaces, or DM a kubeconfig limited to one", who: "the owner and staff",
    args: [
      { name: "action", kind: "subcommand", required: true, choices: ["create", "delete", "list", "kubeconfig"], description: "what to do" },
      { name: "cluster", kind: "cluster", required: true, description: "cluster name" },
      { name: "namespace", kind: "namespace", required: false, description: "namespace name, a DNS label (not for list; never a kube- or default namespace)" },
    ],
    options: [
      { key: "for", kind: "person", description: "ns kubeconfig only: who receives it, a member of the tenant (an identity like slack:U0BOB, or an @mention picked in chat); default you" },
      tenantOpt,
    ],
    examples: ["ns create lab3 team-a", "ns list lab3", "ns kubeconfig lab3 team-a", "ns kubeconfig lab3 team-a for=slack:U0BOB", "ns delete lab3 team-a"],
  },
  {
    name: "approve", summary: "approve a cluster request", who: "TAs and instructors (never your own request)",
    args: [{ name: "request", kind: "request", required: true, description: "request id (#12) or the pending cluster's name" }],
    options: [tenantOpt], examples: ["approve 12", "approve lab3"],
  },
  {
    name: "reject", summary: "reject a cluster request", who: "TAs and instructors",
    args: [
      { name: "request", kind: "request", required: true, description: "request id (#12) or the pending cluster's name" },
      { name: "reason", kind: "text", required: false, rest: true, description: "why, shown to the requester" },
    ],
    options: [tenantOpt], examples: ["reject 12 use the shared cluster for lab 1"],
  },
  { name: "queue", summary: "show what is queued and running", who: "everyone registered", args: [], options: [], examples: ["queue"] },
  {
    name: "quota", summary: "show the tenant's usage against its quotas and limits", who: "everyone in a tenant (staff also see per-person counts)",
    args: [], options: [tenantOpt], examples: ["quota", "quota tenant=cs401"],
  },
  {
    name: "grant", summary: "give someone a role in a tenant", who: "instructors (TAs, students, viewers of their tenant) and admins",
    args: [
      { name: "person", kind: "person", required: true, description: "an identity like slack:U0BOB, or an @mention picked in chat" },
      { name: "role", kind: "role", required: true, choices: ["viewer", "student", "ta", "instructor"], description: "the role to give" },
    ],
    options: [tenantOpt], examples: ["grant slack:U0BOB ta", "grant discord:1200000000000000002 student tenant=cs401"],
  },
  {
    name: "revoke", summary: "take away a role granted in chat", who: "instructors (TAs, students, viewers of their tenant) and admins",
    args: [{ name: "person", kind: "person", required: true, description: "an identity like slack:U0BOB, or an @mention picked in chat" }],
    options: [tenantOpt], examples: ["revoke slack:U0BOB", "revoke slack:U0BOB tenant=cs401"],
  },
  {
    name: "audit", summary: "show recent audited actions", who: "instructors",
    args: [{ name: "name", kind: "cluster", required: false, description: "only actions on this cluster" }],
    options: [tenantOpt], examples: ["audit", "audit lab3"],
  },
  {
    name: "web", summary: "get a one-time sign-in link to the web page, by direct message", who: "everyone registered",
    args: [], options: [], examples: ["web"],
  },
  {
    name: "token", summary: "create or revoke your personal API token (shown once, by direct message)", who: "everyone registered",
    args: [{ name: "action", kind: "subcommand", required: true, choices: ["create", "revoke"], description: "create (replaces an older token) or revoke" }],
    options: [], examples: ["token create", "token revoke"],
  },
  {
    name: "class", summary: "give every student of a class a cluster, ready when the lab starts", who: "instructors",
    args: [
      { name: "action", kind: "subcommand", required: true, choices: ["create", "status", "extend", "delete", "add"], description: "what to do with the session" },
      { name: "session", kind: "session", required: true, description: "session name, a DNS label of 3–20 characters; its clusters are <session>-01, -02, …" },
      { name: "value", kind: "text", required: false, description: "extend: how much longer (7d); add: the student (an identity like slack:U0BOB, or an @mention)" },
    ],
    options: [
      { key: "workers", kind: "workers", description: "create: worker nodes per cluster (0 to the tenant's max_workers)" },
      { key: "size", kind: "size", description: "create: node size" },
      { key: "ttl", kind: "duration", description: "create: lifetime of each cluster from when it is ready (up to the tenant's max_ttl)" },
      { key: "at", kind: "time", description: "create: when the lab starts, in the tenant's time zone: tue 14:00 (tue-14:00), 2026-12-08T14:00, 14:00 or +3h; default now" },
      { key: "for", kind: "roster", description: "create: students (every student of the tenant, the default) or identities/@mentions separated by commas" },
      tenantOpt,
    ],
    examples: [
      "class create lab5 workers=1 at=tue 14:00",
      "class create demo size=medium ttl=3d at=+3h for=slack:U0BOB,slack:U0CAROL",
      "class status lab5", "class extend lab5 7d", "class add lab5 slack:U0DAN", "class delete lab5",
    ],
  },
  {
    name: "help", summary: "show usage", who: "everyone",
    args: [{ name: "command", kind: "command", required: false, description: "a command name" }],
    options: [], examples: ["help", "help create"],
  },
];

/** Looks up a command's grammar by name. */
export function specOf(name: string): CommandSpec | undefined {
  return GRAMMAR.find((c) => c.name === name);
}

/** One-line usage such as `create <name> [workers=N] [size=…] [ttl=…] [tenant=…]`. */
export function usageOf(spec: CommandSpec, sizes: readonly string[] = ["small", "medium", "large"]): string {
  const args = spec.args.map((a) => {
    const inner = a.choices ? a.choices.join("|") : `<${a.name}>`;
    return a.required ? inner : `[${inner}${a.rest ? "…" : ""}]`;
  });
  const opts = spec.options.map((o) => `[${o.key}=${placeholder(o.kind, sizes)}]`);
  return ["/cluster", spec.name, ...args, ...opts].join(" ");
}

function placeholder(kind: ValueKind, sizes: readonly string[]): string {
  switch (kind) {
    case "workers":
    case "worker_target": return "N";
    case "size": return sizes.join("|");
    case "duration": return "<duration>";
    case "tenant": return "<id>";
    case "person": return "<identity|@mention>";
    case "namespace": return "<namespace>";
    case "time": return "<time>";
    case "roster": return "students|<identity>,…";
    default: return "<value>";
  }
}
