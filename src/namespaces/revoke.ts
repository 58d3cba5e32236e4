/**
 * Namespace access that follows a person's role: each ServiceAccount labforge makes for someone is recorded, and when
 * they lose their role in the tenant an `ns_revoke` job deletes their ServiceAccounts and RoleBindings (which also
 * invalidates the tokens bound to them) on every cluster where they had one.
 */
import type { Kysely } from "kysely";
import type { App } from "../clusters/app.ts";
import type { Database, JobKind } from "../db/schema.ts";
import { IDENTITY_RE } from "../config/schema.ts";
import { JobCancelled, JobFailure } from "../jobs/errors.ts";
import type { JobRunner } from "../jobs/queue.ts";
import { audit } from "../audit.ts";
import { isUserNamespace, SERVICE_ACCOUNT_RE } from "./names.ts";
import { stderrTail, withKubectl } from "./kubectl.ts";

/** Records that `identity` holds the ServiceAccount `sa` in `ns` on the cluster (upsert). */
export async function recordAccess(db: Kysely<Database>, clusterId: string, ns: string, sa: string, identity: string, now: number): Promise<void> {
  await db.insertInto("namespace_access").values({ cluster_id: clusterId, namespace: ns, service_account: sa, identity, created_at: now })
    .onConflict((oc) => oc.columns(["cluster_id", "namespace", "service_account"]).doUpdateSet({ identity, created_at: now })).execute();
}

/** `kubectl delete -n <ns> serviceaccount/<sa> rolebinding/<sa>-edit --ignore-not-found`. */
export function revokeAccessArgv(sa: string, ns: string): string[] {
  if (!SERVICE_ACCOUNT_RE.test(sa)) throw new Error(`invalid service account name ${JSON.stringify(sa)}`);
  if (!isUserNamespace(ns)) throw new Error(`refusing kubectl on namespace ${JSON.stringify(ns)}`);
  return ["delete", "-n", ns, `serviceaccount/${sa}`, `rolebinding/${sa}-edit`, "--ignore-not-found"];
}

/** The runner for `ns_revoke` jobs (payload `{ identity }`). */
export function namespaceRunners(app: App): Partial<Record<JobKind, JobRunner>> {
  return {
    ns_revoke: async (job) => {
      const { identity, by } = JSON.parse(job.payload ?? "{}") as { identity?: unknown; by?: unknown };
      if (typeof identity !== "string" || !IDENTITY_RE.test(identity)) throw new JobFailure("the revocation names no valid identity");
      const held = await app.db.k.selectFrom("namespace_access").selectAll().where("cluster_id", "=", job.cluster_id).where("identity", "=", identity).execute();
      if (held.length === 0) return;
      const result = await withKubectl(app, job.cluster_id, async (c, kubectl) => {
        for (const a of held) {
          const r = await kubectl(revokeAccessArgv(a.service_account, a.namespace));
          if (r.exitCode !== 0) throw new JobFailure(`kubectl could not remove ${a.service_account} from ${a.namespace} (exit ${r.exitCode}): ${stderrTail(app, r)}`, { retryable: true });
          await app.db.k.deleteFrom("namespace_access").where("cluster_id", "=", a.cluster_id).where("namespace", "=", a.namespace)
            .where("service_account", "=", a.service_account).execute();
        }
        await audit(app.db.k, app.clock.now(), {
          actor: typeof by === "string" ? by : "labforge", tenant: c.tenant, action: "ns.revoke", target: c.name,
          detail: `${identity}: ${held.map((a) => `${a.namespace}/${a.service_account}`).join(", ")}`,
        });
      });
      if (result.ok) return;
      const o = result.outcome;
      const message = o.ok ? "the cluster is not ready" : o.message;
      if (!o.ok && o.code === "cluster.unreachable") throw new JobFailure(message, { retryable: true });
      // Not ready (deleting, failed): its VMs, and the accounts on them, go anyway.
      throw new JobCancelled(`not revoked on the cluster: ${message}`);
    },
  };
}
