/**
 * What makes a labforge namespace safe to hand out: the Namespace with Pod Security labels, a ResourceQuota and a
 * LimitRange from the tenant's settings. Sent to kubectl on standard input, never through a shell.
 */
import { stringify } from "yaml";
import type { NamespaceDefaults, NamespacePolicy } from "../config/namespace-defaults.ts";
import { bytesOf, cpuMillis } from "../config/quantity.ts";
import { isUserNamespace } from "./names.ts";

export const QUOTA_NAME = "labforge-quota";
export const LIMIT_RANGE_NAME = "labforge-limits";
const MANAGED = { "app.kubernetes.io/managed-by": "labforge" };

/** The Pod Security labels: `enforce` at the tenant's level; `warn` and `audit` always at restricted, so users see what baseline lets through. */
export function podSecurityLabels(policy: NamespacePolicy): Record<string, string> {
  // Checked here too: a caller bug must never produce a privileged namespace.
  if (policy !== "restricted" && policy !== "baseline") throw new Error(`refusing Pod Security level ${JSON.stringify(policy)}`);
  return {
    "pod-security.kubernetes.io/enforce": policy,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
  };
}

function cpu(q: string): string {
  if (cpuMillis(q) === undefined) throw new Error(`invalid CPU quantity ${JSON.stringify(q)}`);
  return q;
}

function bytes(q: string): string {
  if (bytesOf(q) === undefined) throw new Error(`invalid quantity ${JSON.stringify(q)}`);
  return q;
}

function whole(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid count ${n}`);
  return String(n);
}

/** The Namespace, ResourceQuota and LimitRange for `ns`, as a multi-document YAML manifest. */
export function namespaceGuardManifest(ns: string, policy: NamespacePolicy, d: NamespaceDefaults): string {
  if (!isUserNamespace(ns)) throw new Error(`refusing kubectl on namespace ${JSON.stringify(ns)}`);
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { ...MANAGED, ...podSecurityLabels(policy) } } };
  const q = d.quota;
  const quota = {
    apiVersion: "v1", kind: "ResourceQuota", metadata: { name: QUOTA_NAME, namespace: ns, labels: MANAGED },
    spec: {
      hard: {
        "requests.cpu": cpu(q.requests_cpu), "requests.memory": bytes(q.requests_memory),
        "limits.cpu": cpu(q.limits_cpu), "limits.memory": bytes(q.limits_memory),
        pods: whole(q.pods), services: whole(q.services),
        "services.nodeports": whole(q.services_nodeports), "services.loadbalancers": whole(q.services_loadbalancers),
        persistentvolumeclaims: whole(q.persistentvolumeclaims), "requests.storage": bytes(q.requests_storage),
      },
    },
  };
  const l = d.limit_range;
  const limits = {
    apiVersion: "v1", kind: "LimitRange", metadata: { name: LIMIT_RANGE_NAME, namespace: ns, labels: MANAGED },
    spec: {
      limits: [{
        type: "Container",
        // Containers that ask for nothing get these, so the quota above can count them.
        defaultRequest: { cpu: cpu(l.default_request_cpu), memory: bytes(l.default_request_memory) },
        default: { cpu: cpu(l.default_limit_cpu), memory: bytes(l.default_limit_memory) },
        max: { cpu: cpu(l.max_cpu), memory: bytes(l.max_memory) },
      }],
    },
  };
  return [namespace, quota, limits].map((doc) => stringify(doc)).join("---\n");
}
