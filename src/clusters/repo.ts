/** Cluster records: lookups and the columns outside the state machine (nodes, root message). State changes live in lifecycle.ts. */
import type { Kysely } from "kysely";
import type { Cluster, ClusterState, Database } from "../db/schema.ts";
import type { NodeInfo } from "../provisioning/driver.ts";

/** States in which a cluster holds its name. */
export const LIVE_STATES: readonly ClusterState[] = ["pending_approval", "queued", "provisioning", "ready", "deleting", "failed", "expired",
  "stopping", "stopped", "starting", "scaling"];
/** States that hold (or are about to hold) VMs and IPs: they count against the `clusters` and `nodes` quotas. */
export const RESOURCE_STATES: readonly ClusterState[] = ["queued", "provisioning", "ready", "deleting", "expired", "stopping", "stopped", "starting", "scaling"];
/** States whose VMs are (or may be) running: they count against `vcpus` and `memory_gb`. A stopped cluster's do not. */
export const RUNNING_STATES: readonly ClusterState[] = RESOURCE_STATES.filter((s) => s !== "stopped");
/** States that count against a user's `per_user_clusters`. */
export const PER_USER_STATES: readonly ClusterState[] = ["pending_approval", "queued", "provisioning", "ready", "failed", "stopping", "stopped", "starting", "scaling"];

/** The live cluster with this name in the tenant. */
export async function findLiveCluster(db: Kysely<Database>, tenant: string, name: string): Promise<Cluster | undefined> {
  return db.selectFrom("clusters").selectAll().where("tenant", "=", tenant).where("name", "=", name)
    .where("state", "in", LIVE_STATES).executeTakeFirst();
}

/** A cluster by id. */
export async function getCluster(db: Kysely<Database>, id: string): Promise<Cluster | undefined> {
  return db.selectFrom("clusters").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Stores the nodes a driver reported. */
export async function setNodes(db: Kysely<Database>, id: string, nodes: NodeInfo[] | null): Promise<void> {
  await db.updateTable("clusters").set({ nodes: nodes ? JSON.stringify(nodes) : null }).where("id", "=", id).execute();
}

/** Parses the stored node list. */
export function nodesOf(cluster: Pick<Cluster, "nodes">): NodeInfo[] {
  return cluster.nodes ? (JSON.parse(cluster.nodes) as NodeInfo[]) : [];
}

/** Remembers the root progress message of a cluster. */
export async function setRootRef(db: Kysely<Database>, id: string, ref: string, shown: string): Promise<void> {
  await db.updateTable("clusters").set({ root_ref: ref, root_shown: shown }).where("id", "=", id).execute();
}

/** Remembers which card the root message shows now (a digest), once its update has landed. */
export async function setRootShown(db: Kysely<Database>, id: string, shown: string): Promise<void> {
  await db.updateTable("clusters").set({ root_shown: shown }).where("id", "=", id).execute();
}
