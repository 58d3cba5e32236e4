/**
 * The exact kubectl invocations labforge makes for namespaces. Every value is checked again here, so a
 * caller bug cannot put an unchecked word on the control plane's command line (drivers quote each argv word).
 */
import { stringify } from "yaml";
import { IDENTITY_RE } from "../config/schema.ts";
import { isUserNamespace, SERVICE_ACCOUNT_RE } from "./names.ts";

function userNamespace(ns: string): string {
  if (!isUserNamespace(ns)) throw new Error(`refusing kubectl on namespace ${JSON.stringify(ns)}`);
  return ns;
}

function serviceAccount(sa: string): string {
  if (!SERVICE_ACCOUNT_RE.test(sa)) throw new Error(`invalid service account name ${JSON.stringify(sa)}`);
  return sa;
}

/** `kubectl get namespaces -o name`: prints `namespace/<name>` per line. */
export function listNamespacesArgv(): string[] {
  return ["get", "namespaces", "-o", "name"];
}

/** `kubectl get namespace <ns> -o name`: exits non-zero with NotFound when it does not exist. */
export function getNamespaceArgv(ns: string): string[] {
  return ["get", "namespace", userNamespace(ns), "-o", "name"];
}

/** `kubectl create -f -`, with the manifest on standard input: fails with AlreadyExists for what exists already. */
export function createStdinArgv(): string[] {
  return ["create", "-f", "-"];
}

/** `kubectl delete namespace <ns> --wait=false`: returns once deletion started; finalizers can take minutes. */
export function deleteNamespaceArgv(ns: string): string[] {
  return ["delete", "namespace", userNamespace(ns), "--wait=false"];
}

/** `kubectl apply -f -`, with the manifest on standard input. */
export function applyStdinArgv(): string[] {
  return ["apply", "-f", "-"];
}

/** `kubectl create token <sa> -n <ns> --duration=<seconds>s`: a bound token that expires with the cluster. */
export function createTokenArgv(sa: string, ns: string, seconds: number): string[] {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`invalid token duration ${seconds}`);
  return ["create", "token", serviceAccount(sa), "-n", userNamespace(ns), `--duration=${seconds}s`];
}

/** The ServiceAccount and its RoleBinding to the built-in `edit` ClusterRole, limited to `ns` (stdin of `apply -f -`). */
export function namespaceAccessManifest(sa: string, ns: string, identity: string): string {
  if (!IDENTITY_RE.test(identity)) throw new Error(`invalid identity ${JSON.stringify(identity)}`);
  const metadata = (name: string) => ({
    name, namespace: userNamespace(ns),
    labels: { "app.kubernetes.io/managed-by": "labforge" },
    annotations: { "labforge/identity": identity },
  });
  const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(serviceAccount(sa)) };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: metadata(`${sa}-edit`),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
    subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns }],
  };
  return `${stringify(account)}---\n${stringify(binding)}`;
}
