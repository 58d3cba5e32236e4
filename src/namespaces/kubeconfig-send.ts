/** `ns kubeconfig`: a ServiceAccount with edit rights in one namespace, a token that expires with the cluster, sent by DM. */
import type { App } from "../clusters/app.ts";
import type { Cluster } from "../db/schema.ts";
import type { Principal } from "../tenants/directory.ts";
import { done, refuse, type Outcome } from "../kernel/outcome.ts";
import { audit } from "../audit.ts";
import { formatTime } from "../util/time.ts";
import { applyStdinArgv, createTokenArgv, getNamespaceArgv, namespaceAccessManifest } from "./kubectl-argv.ts";
import { kubectlFailure, withKubectl } from "./kubectl.ts";
import { serviceAccountFor } from "./names.ts";
import { recordAccess } from "./revoke.ts";
import { guardManifestFor } from "./tenant-guard.ts";
import { namespaceKubeconfig, namespaceKubeconfigFilename } from "./kubeconfig.ts";

// The API server refuses bound tokens shorter than 10 minutes.
const MIN_TOKEN_SECONDS = 600;

/** Seconds from now until the cluster expires (at least the API server's minimum). */
export function tokenSeconds(expiresAt: number | null, now: number): number {
  return Math.max(MIN_TOKEN_SECONDS, Math.ceil(((expiresAt ?? now) - now) / 1000));
}

/** Grants `recipient` edit rights in `ns` and DMs them the kubeconfig; the token never leaves the DM. */
export async function sendNamespaceKubeconfig(app: App, p: Principal, c: Cluster, ns: string, recipient: string): Promise<Outcome> {
  const admin = await app.kubeconfigs.load(c.id);
  if (!admin) return refuse("kubeconfig.unavailable", `${c.name} has no stored kubeconfig; ask an admin`);
  const guard = guardManifestFor(app, c, ns);
  if (guard === undefined) return refuse("tenant.unknown", `tenant ${c.tenant} is no longer configured; ask an admin`);
  const sa = serviceAccountFor(recipient);
  const held = await withKubectl(app, c.id, async (fresh, kubectl): Promise<Outcome | { token: string; expiresAt: number | null }> => {
    const exists = await kubectl(getNamespaceArgv(ns));
    if (exists.exitCode !== 0) return kubectlFailure(app, exists, `find namespace ${ns} on ${c.name}`);
    // The guard goes first in the same apply: a namespace made outside labforge gets its labels, quota and
    // limits before anyone is given rights in it, and a label someone loosened is put back.
    const applied = await kubectl(applyStdinArgv(), `${guard}---\n${namespaceAccessManifest(sa, ns, recipient)}`);
    if (applied.exitCode !== 0) return kubectlFailure(app, applied, `create the ServiceAccount ${sa} in ${ns}`);
    await recordAccess(app.db.k, c.id, ns, sa, recipient, app.clock.now());
    const minted = await kubectl(createTokenArgv(sa, ns, tokenSeconds(fresh.expires_at, app.clock.now())));
    if (minted.exitCode !== 0) return kubectlFailure(app, minted, `create a token for ${sa} in ${ns}`);
    const token = minted.stdout.trim();
    app.redactor.add(token);
    return { token, expiresAt: fresh.expires_at };
  });
  if (!held.ok) return held.outcome;
  const result = held.value;
  if ("ok" in result) {
    await audit(app.db.k, app.clock.now(), { actor: p, tenant: c.tenant, action: "ns.kubeconfig", target: c.name, outcome: "failure", detail: `namespace=${ns} for=${recipient} ${result.ok ? "" : result.code}` });
    return result;
  }
  const content = namespaceKubeconfig(admin, { tenant: c.tenant, cluster: c.name, namespace: ns, serviceAccount: sa, token: result.token });
  const filename = namespaceKubeconfigFilename({ tenant: c.tenant, cluster: c.name, namespace: ns });
  const from = recipient === p.identity ? "" : ` ${app.directory.label(p.identity)} gave you access.`;
  const until = result.expiresAt ? ` It works until ${formatTime(result.expiresAt)}, when the cluster expires; after an extend, ask for a new one.` : "";
  const ref = await app.notifier.dm(recipient, {
    title: `Kubeconfig for namespace ${ns} of ${c.name} (${c.tenant})`,
    text: `Edit rights in ${ns} only (Pod Security: ${app.config.tenants[c.tenant]!.namespace_policy}).${from}${until} Keep this file private.`,
    code: `export KUBECONFIG=~/Downloads/${filename}\nkubectl get pods`,
    tone: "success",
  }, { filename, content });
  await audit(app.db.k, app.clock.now(), {
    actor: p, tenant: c.tenant, action: "ns.kubeconfig", target: c.name, outcome: ref ? "ok" : "error", detail: `namespace=${ns} for=${recipient} sa=${sa}`,
  });
  if (!ref) return refuse("kubeconfig.unavailable", `could not send the kubeconfig to ${recipient}; check that they accept direct messages from the bot, then try again`);
  const to = recipient === p.identity ? "your direct messages" : `a direct message to ${app.directory.label(recipient)}`;
  return done({ title: "Sent", text: `The kubeconfig for namespace ${ns} of ${c.name} is in ${to}.`, tone: "success" });
}
