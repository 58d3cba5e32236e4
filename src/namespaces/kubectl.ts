/** Runs kubectl on a ready cluster's control plane through the driver, and turns its failures into refusals. */
import type { App } from "../clusters/app.ts";
import type { Cluster } from "../db/schema.ts";
import type { KubectlResult } from "../provisioning/driver.ts";
import { refuse, type Outcome } from "../kernel/outcome.ts";
import { getCluster, nodesOf } from "../clusters/repo.ts";
import { specOf } from "../clusters/spec.ts";

export type Kubectl = (argv: string[], stdin?: string) => Promise<KubectlResult>;

/** The driver could not run kubectl at all (as opposed to kubectl running and failing). */
class ControlPlaneUnreachable extends Error {}

export type Held<T> = { ok: true; value: T } | { ok: false; outcome: Outcome };

/**
 * Runs `work` with a kubectl bound to the cluster, holding the cluster's lock so a destroy cannot start
 * halfway through; refuses when the cluster is no longer ready by the time the lock is ours.
 */
export async function withKubectl<T>(app: App, clusterId: string, work: (c: Cluster, kubectl: Kubectl) => Promise<T>): Promise<Held<T>> {
  const release = await app.locks.acquire(`cluster:${clusterId}`);
  try {
    const c = await getCluster(app.db.k, clusterId);
    if (!c || c.state !== "ready") return { ok: false, outcome: notReady(c ?? { name: "the cluster", state: "deleted" }) };
    const nodes = nodesOf(c);
    if (!nodes.some((n) => n.role === "control_plane")) return { ok: false, outcome: refuse("cluster.no_nodes", `${c.name} has no control-plane node on record`) };
    const spec = await specOf(app, c);
    const kubectl: Kubectl = (argv, stdin) => app.driver.kubectl(spec, nodes, argv, stdin).catch((err: unknown) => {
      throw new ControlPlaneUnreachable(app.redactor.redact(err instanceof Error ? err.message : String(err)));
    });
    return { ok: true, value: await work(c, kubectl) };
  } catch (err) {
    // SSH down, a timeout or a changed host key: something the user can report, not a crash.
    if (!(err instanceof ControlPlaneUnreachable)) throw err;
    app.log.warn({ cluster: clusterId, reason: err.message }, "kubectl could not reach the control plane");
    return { ok: false, outcome: refuse("cluster.unreachable", `could not reach the control plane: ${err.message}. Try again in a minute; if it persists, tell your admin`) };
  } finally {
    release();
  }
}

/** The refusal for a cluster that is not ready for kubectl. */
export function notReady(c: Pick<Cluster, "name" | "state">): Outcome {
  return refuse("cluster.not_ready", `${c.name} is ${c.state.replace("_", " ")}; namespaces can be managed only while it is ready`);
}

/** The last lines of kubectl's standard error, redacted, for a refusal the user can act on. */
export function stderrTail(app: App, r: KubectlResult, lines = 4): string {
  const text = app.redactor.redact(r.stderr || r.stdout).trim().split("\n").slice(-lines).join("\n");
  return text.length > 600 ? `${text.slice(0, 600)}…` : text || "(no output)";
}

/** Turns a failed kubectl run into a refusal: NotFound and AlreadyExists get their own codes. */
export function kubectlFailure(app: App, r: KubectlResult, doing: string): Outcome {
  const stderr = stderrTail(app, r);
  if (r.exitCode !== 127 && /\(AlreadyExists\)|" already exists/.test(r.stderr)) return refuse("ns.exists", `cannot ${doing}: it already exists`);
  if (r.exitCode !== 127 && /\(NotFound\)|" not found/.test(r.stderr)) return refuse("ns.not_found", `cannot ${doing}: it does not exist (kubectl: ${stderr})`);
  return refuse("kubectl.failed", `kubectl could not ${doing} (exit ${r.exitCode}): ${stderr}`);
}
