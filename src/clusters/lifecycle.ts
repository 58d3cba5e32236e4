/**
 * The cluster state machine: the only code that writes `clusters.state`. Every transition is a compare-and-set
 * (`UPDATE … WHERE id = ? AND state = <the state just read>`) run inside the caller's transaction, beside the
 * records that belong to it (jobs, IP blocks, requests, audit rows), so they commit or roll back together.
 * An illegal transition is a typed refusal, never a silent no-op. docs/architecture.md shows the same table.
 */
import type { Kysely } from "kysely";
import type { Cluster, ClusterState, Database, NewCluster } from "../db/schema.ts";
import { failure, type Check } from "../kernel/outcome.ts";

/** Every legal transition: its name, the states it leaves from and the state it reaches. */
export const TRANSITIONS = {
  /** Approved (or needing no approval): IPs reserved and a provision job queued. */
  approve: { from: ["pending_approval"], to: "queued" },
  reject: { from: ["pending_approval"], to: "rejected" },
  /** Nobody decided within `approval_timeout`. */
  lapse: { from: ["pending_approval"], to: "rejected" },
  /** The requester deleted it, or lost their role, before anyone decided. */
  withdraw: { from: ["pending_approval"], to: "deleted" },
  /** A provision job starts (or resumes after a restart). */
  begin: { from: ["queued", "provisioning"], to: "provisioning" },
  /** The kubeconfig is stored: expiry starts and a delivery job is queued. */
  ready: { from: ["provisioning"], to: "ready" },
  /** A provision step failed: a clean-up job is queued unless `keep_failed`. */
  fail: { from: ["queued", "provisioning"], to: "failed" },
  /** Retry of a failed cluster, once no clean-up or destroy is still running. */
  retry: { from: ["failed"], to: "queued" },
  /** A confirmed delete wins over everything in flight: their jobs are cancelled and a destroy job queued. */
  delete: { from: ["queued", "provisioning", "ready", "failed", "stopping", "stopped", "starting", "scaling"], to: "deleting" },
  /** Expiry reached: a destroy job is queued. */
  expire: { from: ["ready", "stopped"], to: "expired" },
  /** `stop` (or auto-stop): a stop job powers the VMs off. */
  stop: { from: ["ready"], to: "stopping" },
  /** The VMs are off; name, IPs and kubeconfig stay. */
  stopped: { from: ["stopping"], to: "stopped" },
  /** Powering off failed for good: the VMs are taken to be still running. */
  stop_failed: { from: ["stopping"], to: "ready" },
  /** `start`: a start job powers the VMs on and waits for every node to be Ready. */
  start: { from: ["stopped"], to: "starting" },
  /** Every node is Ready again. */
  started: { from: ["starting"], to: "ready" },
  /** Powering on failed for good: the cluster counts as stopped, and start tries again. */
  start_failed: { from: ["starting"], to: "stopped" },
  /** `scale`: a scale job adds or drains and removes workers. */
  scale: { from: ["ready"], to: "scaling" },
  /** The workers match the new count (or the scale failed and says so: scale again converges). */
  scaled: { from: ["scaling"], to: "ready" },
  /** `rebuild`: a rebuild job destroys the VMs, keeping the IPs, and queues a provision job on them. */
  rebuild: { from: ["ready", "stopped"], to: "queued" },
  /** The VMs are gone and the IPs free. */
  destroyed: { from: ["deleting", "expired"], to: "deleted" },
  /** The destroy failed: delete again (or Retry) tries once more. */
  destroy_failed: { from: ["deleting", "expired"], to: "failed" },
} as const satisfies Record<string, { from: readonly ClusterState[]; to: ClusterState }>;

export type Transition = keyof typeof TRANSITIONS;

/** Columns a transition may set beside the state. */
export type TransitionFields = Partial<Pick<Cluster, "failure" | "ready_at" | "expires_at" | "reminded_at" | "started_at" | "auto_stop_at" | "auto_stop_warned_at" | "workers">>;

/** A transition's result: the state it left, or a refusal (`cluster.not_found`, `cluster.transition`) naming the state found. */
export type Moved = { ok: true; from: ClusterState; cluster: Cluster } | { ok: false; code: string; message: string; state?: ClusterState };

/** True when `t` may leave from `state`. */
export function allowed(state: ClusterState, t: Transition): boolean {
  return (TRANSITIONS[t].from as readonly ClusterState[]).includes(state);
}

/** Latest moment any stored timestamp may name (kubeadm's certificates last a year; nothing of ours lives longer). */
const MAX_TIMESTAMP = Date.UTC(9999, 0, 1);

/**
 * Applies transition `t` to the cluster inside `trx`: reads its state, refuses if `t` cannot leave from it, and
 * writes the new state only if nobody changed it in between. Callers add their records in the same `trx`.
 */
export async function move(trx: Kysely<Database>, clusterId: string, t: Transition, now: number, fields: TransitionFields = {}): Promise<Moved> {
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === "number" && !(Number.isSafeInteger(v) && v >= 0 && v < MAX_TIMESTAMP)) throw new RangeError(`${k} ${v} is not a valid timestamp`);
  }
  const current = await trx.selectFrom("clusters").select("state").where("id", "=", clusterId).executeTakeFirst();
  if (!current) return { ok: false, code: "cluster.not_found", message: "that cluster no longer exists" };
  if (!allowed(current.state, t)) {
    return { ok: false, code: "cluster.transition", message: `cannot ${t.replace("_", " ")} a cluster that is ${current.state.replace("_", " ")}`, state: current.state };
  }
  const to: ClusterState = TRANSITIONS[t].to;
  const updated = await trx.updateTable("clusters").set({ state: to, updated_at: now, ...fields })
    .where("id", "=", clusterId).where("state", "=", current.state).returningAll().executeTakeFirst();
  if (!updated) return { ok: false, code: "cluster.transition", message: "the cluster changed meanwhile", state: current.state };
  return { ok: true, from: current.state, cluster: updated };
}

/** Inserts a new cluster, always as `pending_approval` (a tenant without approvals moves it on with `approve`). */
export async function insertCluster(trx: Kysely<Database>, c: Omit<NewCluster, "state">): Promise<Cluster> {
  return trx.insertInto("clusters").values({ ...c, state: "pending_approval" }).returningAll().executeTakeFirstOrThrow();
}

/** Turns a refused move into a Check for callers that return one. */
export function asCheck(m: Moved): Check {
  return m.ok ? { ok: true } : failure(m.code, m.message);
}

/** The abort reason for a cluster's running jobs when it is deleted or expires: a delete wins. */
export class ClusterDeleted extends Error {
  constructor() { super("the cluster is being deleted"); }
}
