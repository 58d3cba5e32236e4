/** Builds the kubeconfig for one namespace: the admin kubeconfig's server and CA, a ServiceAccount token, the namespace as context. */
import { parse, stringify } from "yaml";

export interface NamespaceAccess {
  tenant: string;
  cluster: string;
  namespace: string;
  serviceAccount: string;
  token: string;
}

interface KubeconfigDoc {
  "current-context"?: string;
  contexts?: { name?: string; context?: { cluster?: string } }[];
  clusters?: { name?: string; cluster?: Record<string, unknown> }[];
}

/** The file name the namespace kubeconfig is sent as: `<tenant>-<cluster>-<namespace>.kubeconfig`. */
export function namespaceKubeconfigFilename(a: Pick<NamespaceAccess, "tenant" | "cluster" | "namespace">): string {
  return `${a.tenant}-${a.cluster}-${a.namespace}.kubeconfig`;
}

/** The API server entry (server, CA) of the admin kubeconfig's current context; throws when it has none. */
export function apiServerOf(adminKubeconfig: string): Record<string, unknown> {
  const doc = (parse(adminKubeconfig) ?? {}) as KubeconfigDoc;
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  const entry = doc.clusters?.find((c) => c.name === context?.context?.cluster) ?? doc.clusters?.[0];
  const server = entry?.cluster?.server;
  if (typeof server !== "string" || !/^https:\/\/[^\s/]+(:[0-9]+)?\/?$/.test(server)) throw new Error("the stored admin kubeconfig names no https API server");
  // Only what identifies and verifies the server; never the admin's credentials.
  const keep = ["server", "certificate-authority-data", "insecure-skip-tls-verify", "tls-server-name"];
  return Object.fromEntries(Object.entries(entry!.cluster!).filter(([k]) => keep.includes(k)));
}

/** A kubeconfig that reaches only `namespace`, as its ServiceAccount, on the cluster the admin kubeconfig points at. */
export function namespaceKubeconfig(adminKubeconfig: string, a: NamespaceAccess): string {
  if (!/^[A-Za-z0-9._-]+$/.test(a.token)) throw new Error("kubectl create token returned something that is not a token");
  const clusterName = `${a.tenant}-${a.cluster}`;
  const user = `${a.serviceAccount}@${clusterName}`;
  const context = `${clusterName}-${a.namespace}`;
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: apiServerOf(adminKubeconfig) }],
    users: [{ name: user, user: { token: a.token } }],
    contexts: [{ name: context, context: { cluster: clusterName, user, namespace: a.namespace } }],
    "current-context": context,
    preferences: {},
  };
  return `# labforge: namespace ${a.namespace} of ${clusterName} (edit rights, ServiceAccount ${a.serviceAccount}).\n${stringify(doc)}`;
}
