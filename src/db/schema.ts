/** Table types for kysely; one interface per table, columns as stored. */
import type { Generated, Insertable, Selectable } from "kysely";

export type ClusterState =
  | "pending_approval" | "queued" | "provisioning" | "ready" | "deleting" | "deleted"
  | "rejected" | "failed" | "expired"
  /** Day-2 operations (issue 17): powered off and on, workers added or removed. */
  | "stopping" | "stopped" | "starting" | "scaling";

export interface ClustersTable {
  id: string;
  tenant: string;
  name: string;
  owner: string;
  state: ClusterState;
  workers: number;
  size: string;
  vcpus: number;
  memory_mb: number;
  disk_gb: number;
  ttl_ms: number;
  channel: string;
  root_ref: string | null;
  /** A digest of the card the root message last showed; NULL when posted by an older labforge. */
  root_shown: Generated<string | null>;
  /** JSON list of NodeInfo once the VMs exist. */
  nodes: string | null;
  expires_at: number | null;
  /** When the expiry reminder for the current `expires_at` went out; NULL until then (extend resets it). */
  reminded_at: number | null;
  ready_at: number | null;
  failure: string | null;
  /** When the VMs last became ready or were last started; auto-stop counts from here. */
  started_at: number | null;
  /** When auto-stop will stop the cluster (from the tenant's auto_stop); NULL until the sweep computes it. */
  auto_stop_at: number | null;
  /** When the owner was warned of the current `auto_stop_at`; NULL until then. */
  auto_stop_warned_at: number | null;
  /** The class session this cluster belongs to, if any. */
  session_id: Generated<string | null>;
  created_at: number;
  updated_at: number;
}

export type RequestState = "pending" | "approved" | "rejected" | "lapsed" | "cancelled";

export interface RequestsTable {
  id: Generated<number>;
  cluster_id: string;
  tenant: string;
  requester: string;
  state: RequestState;
  decided_by: string | null;
  decided_at: number | null;
  reason: string | null;
  lapses_at: number;
  /** JSON array of message refs where the Approve/Reject card was posted. */
  card_refs: string | null;
  /** A digest of the card all of those last showed; NULL when posted by an older labforge. */
  cards_shown: Generated<string | null>;
  created_at: number;
}

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";
/**
 * provision: build a cluster; cleanup: destroy what a failed provision made; destroy: delete or expiry;
 * deliver: DM the kubeconfig; ns_revoke: remove a revoked person's namespace access on one cluster.
 */
export type JobKind = "provision" | "cleanup" | "destroy" | "deliver" | "ns_revoke"
  /** Day-2 operations: power off, power on, change the worker count, destroy and re-create the VMs. */
  | "stop" | "start" | "scale" | "rebuild";

export interface JobsTable {
  id: Generated<number>;
  kind: JobKind;
  cluster_id: string;
  tenant: string;
  owner: string;
  state: JobState;
  dedupe_key: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_at: number | null;
  locked_by: string | null;
  /** The last pipeline step that finished; a resumed job starts after it. */
  last_step: string | null;
  /** The step running now (for progress and queue views). */
  current_step: string | null;
  last_error: string | null;
  log_tail: string | null;
  /** JSON arguments of the job (the recipient of a delivery, the person whose access is revoked). */
  payload: string | null;
  /** The class session whose work this is: fair order counts a session as one party's work. */
  session_id: Generated<string | null>;
  created_at: number;
  finished_at: number | null;
}

export interface IpAllocationsTable {
  ip: string;
  cluster_id: string;
  position: number;
  allocated_at: number;
}

export interface KubeconfigsTable {
  cluster_id: string;
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  created_at: number;
}

export interface GrantsTable {
  id: Generated<number>;
  identity: string;
  tenant: string;
  role: string;
  granted_by: string;
  created_at: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  tenant: string | null;
  action: string;
  target: string | null;
  outcome: "ok" | "failure" | "error";
  detail: string | null;
  /** Where the action came from: the platform of the command (slack, discord, console, web); NULL for the bot itself. */
  source: string | null;
}

/** A ServiceAccount labforge made on a cluster for one person's namespace kubeconfig (removed when they are revoked). */
export interface NamespaceAccessTable {
  cluster_id: string;
  namespace: string;
  service_account: string;
  identity: string;
  created_at: number;
}

/** One acknowledged command or button press: stored before the ack, run after it, answered once. */
export interface InboxTable {
  /** The platform's delivery id (a Slack trigger id, a Discord interaction id), prefixed with the platform. */
  id: string;
  kind: "command" | "action";
  /** JSON CommandInput or ActionInput. */
  input: string;
  /** The adapter's opaque way to answer later (a Slack response_url, a Discord interaction token). */
  respond_ref: string | null;
  respond_until: number | null;
  /** received → replied (the core answered; the reply is stored) → answered (the user was shown it). */
  state: "received" | "replied" | "answered";
  reply: string | null;
  received_at: number;
  answered_at: number | null;
}

/** The DM channel a platform opened for an identity, so a restart opens none again. */
export interface DmChannelsTable {
  identity: string;
  channel: string;
  opened_at: number;
}

export interface DeliveriesTable {
  id: string;
  at: number;
  reply: string;
}

/** A proxmox VM id held by a cluster (infra.proxmox.vmid_range); position 0 is the control plane. */
export interface VmidAllocationsTable {
  vmid: number;
  cluster_id: string;
  position: number;
  allocated_at: number;
}

/** A one-time web sign-in link (issue 15): the SHA-256 of its token, valid until `expires_at`, once. */
export interface WebLinksTable {
  token_hash: string;
  identity: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A browser session made from a sign-in link: the SHA-256 of its cookie value; roles are read on every request. */
export interface WebSessionsTable {
  id_hash: string;
  identity: string;
  created_at: number;
  expires_at: number;
}

/** A personal API token for /api/v1: the SHA-256 of the token, shown once by DM; `revoked_at` ends it. */
export interface ApiTokensTable {
  token_hash: string;
  identity: string;
  created_at: number;
  revoked_at: number | null;
}

/** When one step of a job started and finished (wall time), for step-duration charts. */
export interface JobStepsTable {
  job_id: number;
  step: string;
  started_at: number;
  finished_at: number | null;
}

/** A class session: one cluster per student, provisioned to be ready by `starts_at`. */
export interface ClassSessionsTable {
  id: string;
  tenant: string;
  name: string;
  /** Who created it (the approval of every cluster in it). */
  instructor: string;
  channel: string;
  workers: number;
  size: string;
  ttl_ms: number;
  /** When the lab starts: every cluster should be ready by then. */
  starts_at: number;
  /** When provisioning begins (the provision jobs' run_at). */
  provision_at: number;
  /** The estimate of how long provisioning the whole session takes. */
  estimate_ms: number;
  root_ref: string | null;
  /** A digest of the card the root message last showed; NULL when posted by an older labforge. */
  root_shown: Generated<string | null>;
  state: "active" | "deleted";
  created_at: number;
  updated_at: number;
}

/** How long one provision step took, per size and worker count, for estimating a class session's lead time. */
export interface StepDurationsTable {
  job_id: number;
  step: string;
  size: string;
  workers: number;
  ms: number;
  at: number;
}

/** A thread reply or DM notice, kept from when it is made until the platform was handed it. */
export interface PendingChatTable {
  id: Generated<number>;
  kind: "thread" | "dm";
  /** The cluster id (thread) or the identity (dm). */
  target: string;
  /** The Card, as JSON. */
  card: string;
  /** 1 for a step done (left out of a class session's shared thread). */
  routine: number;
  created_at: number;
}

export interface Database {
  clusters: ClustersTable;
  requests: RequestsTable;
  jobs: JobsTable;
  ip_allocations: IpAllocationsTable;
  vmid_allocations: VmidAllocationsTable;
  kubeconfigs: KubeconfigsTable;
  grants: GrantsTable;
  audit: AuditTable;
  deliveries: DeliveriesTable;
  namespace_access: NamespaceAccessTable;
  inbox: InboxTable;
  dm_channels: DmChannelsTable;
  web_links: WebLinksTable;
  web_sessions: WebSessionsTable;
  api_tokens: ApiTokensTable;
  job_steps: JobStepsTable;
  class_sessions: ClassSessionsTable;
  step_durations: StepDurationsTable;
  pending_chat: PendingChatTable;
}

export type Cluster = Selectable<ClustersTable>;
export type NewCluster = Insertable<ClustersTable>;
export type Request = Selectable<RequestsTable>;
export type Job = Selectable<JobsTable>;
export type AuditEntry = Selectable<AuditTable>;
export type ClassSession = Selectable<ClassSessionsTable>;
