/** `ns create|delete|list <cluster> [<namespace>]` and `ns kubeconfig <cluster> <namespace> [for=…]`: owner and staff. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { refuse, refused } from "../kernel/outcome.ts";
import { hasRole, requireOwnerOr } from "../tenants/rbac.ts";
import { specOf, usageOf } from "./grammar.ts";
import { resolvePerson } from "./values.ts";
import { isSystemNamespace } from "../namespaces/names.ts";
import { notReady } from "../namespaces/kubectl.ts";
import { createNamespace, deleteNamespace, listNamespaces } from "../namespaces/ops.ts";
import { sendNamespaceKubeconfig } from "../namespaces/kubeconfig-send.ts";

export const ns: CommandHandler = async (ctx) => {
  const { app, principal, cmd } = ctx;
  const action = cmd.args.action as "create" | "delete" | "list" | "kubeconfig";
  const namespace = cmd.args.namespace;
  const usage = usageOf(specOf("ns")!, Object.keys(app.config.sizes));
  // Per-subcommand shape, checked before anything is looked up.
  if (action === "list" && namespace) return refuse("usage", `ns list takes no namespace (got "${namespace}")`, usage);
  if (action !== "list" && !namespace) return refuse("usage", `namespace is missing: /cluster ns ${action} <cluster> <namespace>`, usage);
  if (action !== "kubeconfig" && cmd.options.for !== undefined) return refuse("usage", "for= goes only with ns kubeconfig", usage);

  const found = await clusterOf(ctx, "cluster");
  if (!found.ok) return found.outcome;
  const c = found.cluster;
  const allowed = requireOwnerOr(principal, c, "ta", `manage the namespaces of ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  if (namespace && isSystemNamespace(namespace)) {
    return refuse("ns.system", `${namespace} is a Kubernetes system namespace; labforge leaves default and kube-* alone. Pick your own name, e.g. team-a`);
  }
  if (c.state !== "ready") return notReady(c);

  switch (action) {
    case "list": return listNamespaces(app, c);
    case "create": return createNamespace(app, principal, c, namespace!);
    case "delete": return deleteNamespace(app, principal, c, namespace!);
    case "kubeconfig": {
      const raw = cmd.options.for as string | undefined;
      const recipient = raw === undefined ? principal.identity : resolvePerson(raw, principal.identity);
      if (!recipient) return refuse("usage", `for=${raw} is not a person: write an identity like slack:U0BOB or an @mention`, usage);
      if (!hasRole(await app.directory.principal(recipient), c.tenant, "viewer")) {
        return refuse("ns.recipient_not_member", `${recipient} is not a member of ${c.tenant}; an instructor can add them with /cluster grant ${recipient} student`);
      }
      return sendNamespaceKubeconfig(app, principal, c, namespace!, recipient);
    }
  }
};
