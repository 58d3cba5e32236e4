/** Namespace and ServiceAccount names: which namespaces users may touch, and the account each person gets. */
import { createHash } from "node:crypto";
import { z } from "zod";

export const NAMESPACE_RULE = 'a lowercase DNS label of at most 63 characters: a–z, 0–9 and "-", starting and ending with a letter or digit (e.g. team-a)';
export const namespaceName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);

/** Namespaces Kubernetes itself owns; labforge never creates, deletes or hands out access to them. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** True for the system namespaces and anything starting with `kube-` (reserved by Kubernetes). */
export function isSystemNamespace(ns: string): boolean {
  return SYSTEM_NAMESPACES.includes(ns) || ns.startsWith("kube-");
}

/** True when `ns` is a DNS label that users may manage. */
export function isUserNamespace(ns: string): boolean {
  return namespaceName.safeParse(ns).success && !isSystemNamespace(ns);
}

export const SERVICE_ACCOUNT_RE = /^lf-[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9a-f]{8}$/;

/**
 * The ServiceAccount that carries one person's namespace access, such as `lf-slack-u0bob-1a2b3c4d`:
 * readable in `kubectl get sa`, and the hash keeps `console:Bob` and `console:bob` apart.
 */
export function serviceAccountFor(identity: string): string {
  const readable = identity.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40).replace(/^-+|-+$/g, "") || "user";
  const hash = createHash("sha256").update(identity).digest("hex").slice(0, 8);
  return `lf-${readable}-${hash}`;
}
