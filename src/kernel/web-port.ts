/**
 * The web adapter's narrow port (issue 15): sign-in, and read models of what the caller may see. Actions are not here:
 * the web sends them through InboundPort.handleCommand / handleAction like any chat, so there is one rule set.
 */

/** Who is signed in, with roles read now (a revoke shows at the next request). */
export interface WebViewer {
  identity: string;
  label: string;
  admin: boolean;
  roles: { tenant: string; name: string; role: string }[];
  /** Tenants where the viewer is a TA or above (the tenant pages they may open). */
  staffed: string[];
}

export interface NodeView {
  name: string;
  role: string;
  ip: string;
}

/** One cluster as the page shows it. Which buttons to offer is a hint; the core decides when one is pressed. */
export interface ClusterView {
  id: string;
  tenant: string;
  name: string;
  state: string;
  stateText: string;
  owner: string;
  ownerLabel: string;
  shape: string;
  progress?: { done: number; total: number; label: string };
  nodes: NodeView[];
  createdAt: number;
  expiresAt?: number;
  failure?: string;
  queuePosition?: number;
  can: { extend: boolean; delete: boolean; retry: boolean; kubeconfig: boolean; stop: boolean; start: boolean; scale: boolean; rebuild: boolean };
  /** Worker nodes now (the scale form starts from it). */
  workers: number;
}

export interface RequestView {
  id: number;
  clusterId: string;
  cluster: string;
  tenant: string;
  requester: string;
  requesterLabel: string;
  shape: string;
  createdAt: number;
  lapsesAt: number;
}

export interface QueueEntry {
  /** 1 is next to run; undefined while running. */
  position?: number;
  kind: string;
  tenant: string;
  cluster: string;
  owner: string;
  step?: string;
}

export interface QuotaLine {
  key: "clusters" | "nodes" | "vcpus" | "memory_gb";
  used: number;
  limit?: number;
}

export interface AuditView {
  at: number;
  actor: string;
  action: string;
  target?: string;
  outcome: string;
  detail?: string;
  source?: string;
}

/** Filters for the audit log; every value is checked before it reaches a query. */
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  source?: string;
}

/** The staff page of one tenant. `audit` is undefined for TAs: like `/cluster audit`, it is for instructors. */
/** A class session on the tenant page: when its lab starts, how many clusters are ready, each student's cluster. */
export interface SessionView {
  name: string;
  startsAt: number;
  startsAtText: string;
  summary: string;
  ready: number;
  total: number;
  clusters: { name: string; ownerLabel: string; state: string; stateText: string }[];
}

export interface TenantView {
  tenant: string;
  name: string;
  clusters: ClusterView[];
  /** Active class sessions (docs/classes.md), newest first. */
  sessions: SessionView[];
  requests: RequestView[];
  queue: QueueEntry[];
  quota: QuotaLine[];
  audit?: AuditView[];
}

export interface JobView {
  id: number;
  kind: string;
  tenant: string;
  cluster: string;
  state: string;
  createdAt: number;
  finishedAt?: number;
  /** Each step with how long it took (undefined while it runs). */
  steps: { step: string; ms?: number }[];
}

export interface FailureView {
  cluster: string;
  tenant: string;
  at: number;
  kind: string;
  step?: string;
  error: string;
  /** The job's last log lines, redacted when they were stored and again here. */
  logTail?: string;
}

/** The admins' page: the IP pool, usage against quotas per tenant, recent jobs and failures. */
export interface CapacityView {
  pool: { total: number; used: number; free: number };
  tenants: { tenant: string; name: string; usage: QuotaLine[] }[];
  jobs: JobView[];
  failures: FailureView[];
}

/** A read the caller may be refused, with a stable code like the chat refusals. */
export type WebRead<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface WebPort {
  /** Uses a one-time sign-in link; a new session id (the cookie value) or undefined when used, expired or unknown. */
  signIn(linkToken: string): Promise<{ identity: string; session: string } | undefined>;
  /** Ends a session. */
  signOut(session: string): Promise<void>;
  /** The person behind a session cookie, roles read now; undefined when it is unknown, expired or they have no role left. */
  viewerForSession(session: string): Promise<WebViewer | undefined>;
  /** The person behind a personal API token, likewise. */
  viewerForToken(token: string): Promise<WebViewer | undefined>;
  /** The caller's own live clusters. */
  myClusters(identity: string): Promise<ClusterView[]>;
  /** One live cluster by id, if the caller owns it or is a TA or above of its tenant. */
  cluster(identity: string, id: string): Promise<ClusterView | undefined>;
  /** A tenant's staff page (TAs and up of that tenant). */
  tenantView(identity: string, tenant: string, filter?: AuditFilter): Promise<WebRead<TenantView>>;
  /** Capacity, jobs and failures across tenants (admins). */
  capacity(identity: string): Promise<WebRead<CapacityView>>;
}
