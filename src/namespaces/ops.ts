/** `ns create | delete | list`: one kubectl call each on the control plane, audited. */
import type { App } from "../clusters/app.ts";
import type { Cluster } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, type Outcome } from "../kernel/outcome.ts";
import { audit } from "../audit.ts";
import { createStdinArgv, deleteNamespaceArgv, listNamespacesArgv } from "./kubectl-argv.ts";
import { kubectlFailure, withKubectl } from "./kubectl.ts";
import { isSystemNamespace } from "./names.ts";
import { guardManifestFor, guardSummary } from "./tenant-guard.ts";

/** Creates a namespace on the cluster with its Pod Security labels, ResourceQuota and LimitRange, in one kubectl call. */
export async function createNamespace(app: App, p: Principal, c: Cluster, ns: string): Promise<Outcome> {
  return change(app, p, c, ns, "create");
}

/** Deletes a namespace and everything in it. */
export async function deleteNamespace(app: App, p: Principal, c: Cluster, ns: string): Promise<Outcome> {
  return change(app, p, c, ns, "delete");
}

async function change(app: App, p: Principal, c: Cluster, ns: string, verb: "create" | "delete"): Promise<Outcome> {
  const guard = verb === "create" ? guardManifestFor(app, c, ns) : undefined;
  if (verb === "create" && guard === undefined) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured; ask an admin`);
  // One `create -f -`: the namespace never exists, not even for a moment, without its labels.
  const held = await withKubectl(app, c.id, async (_c, kubectl) => (guard ? kubectl(createStdinArgv(), guard) : kubectl(deleteNamespaceArgv(ns))));
  if (!held.ok) return held.outcome;
  const r = held.value;
  const outcome = r.exitCode === 0 ? undefined : kubectlFailure(app, r, `${verb} namespace ${ns} on ${c.name}`);
  await audit(app.db.k, app.clock.now(), {
    actor: p, tenant: c.tenant, action: `ns.${verb}`, target: c.name,
    outcome: outcome ? "failure" : "ok", detail: `namespace=${ns}${outcome && !outcome.ok ? ` ${outcome.code}` : ""}`,
  });
  if (outcome) return outcome;
  return verb === "create"
    ? done({ title: `Namespace ${ns} created on ${c.name}`, text: `${guardSummary(app, c)} Give someone edit rights in it with /cluster ns kubeconfig ${c.name} ${ns} for=<identity or @mention>`, tone: "success" })
    : done({ title: `Namespace ${ns} is being deleted on ${c.name}`, text: "Everything in it goes with it; Kubernetes finishes in the background.", tone: "warning" });
}

/** Lists the cluster's namespaces, marking the ones Kubernetes owns. */
export async function listNamespaces(app: App, c: Cluster): Promise<Outcome> {
  const held = await withKubectl(app, c.id, async (_c, kubectl) => kubectl(listNamespacesArgv()));
  if (!held.ok) return held.outcome;
  const r = held.value;
  if (r.exitCode !== 0) return kubectlFailure(app, r, `list the namespaces of ${c.name}`);
  const names = r.stdout.split("\n").map((l) => l.trim().replace(/^namespace\//, "")).filter(Boolean).sort();
  const lines = names.map((n) => (isSystemNamespace(n) ? `${n}  (system)` : n));
  return done({ title: `Namespaces on ${c.name}`, code: lines.join("\n") || "(none)" });
}
