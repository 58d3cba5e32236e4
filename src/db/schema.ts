/** Table types for kysely; one interface per table, columns as stored. */
import type { Generated, Insertable, Selectable } from "kysely";

export type ClusterState =
  | "pending_approval" | "queued" | "provisioning" | "ready" | "deleting" | "deleted"
  | "rejected" | "failed" | "expired";

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
  /** JSON list of NodeInfo once the VMs exist. */
  nodes: string | null;
  expires_at: number | null;
  /** When the expiry reminder for the current `expires_at` went out; NULL until then (extend resets it). */
  reminded_at: number | null;
  ready_at: number | null;
  failure: string | null;
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
  created_at: number;
}

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";
/**
 * provision: build a cluster; cleanup: destroy what a failed provision made; destroy: delete or expiry;
 * deliver: DM the kubeconfig; ns_revoke: remove a revoked person's namespace access on one cluster.
 */
export type JobKind = "provision" | "cleanup" | "destroy" | "deliver" | "ns_revoke";

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
}

/** A ServiceAccount labforge made on a cluster for one person's namespace kubeconfig (removed when they are revoked). */
export interface NamespaceAccessTable {
  cluster_id: string;
  namespace: string;
  service_account: string;
  identity: string;
  created_at: number;
}

export interface DeliveriesTable {
  id: string;
  at: number;
  reply: string;
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

export interface Database {
  clusters: ClustersTable;
  requests: RequestsTable;
  jobs: JobsTable;
  ip_allocations: IpAllocationsTable;
  kubeconfigs: KubeconfigsTable;
  grants: GrantsTable;
  audit: AuditTable;
  deliveries: DeliveriesTable;
  namespace_access: NamespaceAccessTable;
  class_sessions: ClassSessionsTable;
  step_durations: StepDurationsTable;
}

export type Cluster = Selectable<ClustersTable>;
export type NewCluster = Insertable<ClustersTable>;
export type Request = Selectable<RequestsTable>;
export type Job = Selectable<JobsTable>;
export type AuditEntry = Selectable<AuditTable>;
export type ClassSession = Selectable<ClassSessionsTable>;
