/**
 * The tenant settings for namespaces labforge makes (SPEC §4): the Pod Security level they enforce and the
 * ResourceQuota and LimitRange they get, so students sharing one cluster cannot starve each other.
 */
import { z } from "zod";
import { bytesOf, bytesQuantity, cpuMillis, cpuQuantity } from "./quantity.ts";

const count = z.number().int("expected a whole number").min(0, "expected a number ≥ 0");

/** Pod Security Standard enforced in labforge namespaces; `privileged` is deliberately not allowed. */
export const namespacePolicy = z.enum(["restricted", "baseline"], "expected restricted or baseline (privileged is never allowed)").default("restricted");

/** The ResourceQuota `labforge-quota`: what one namespace may hold in total. */
const quota = z.strictObject({
  requests_cpu: cpuQuantity.default("2"),
  requests_memory: bytesQuantity.default("4Gi"),
  limits_cpu: cpuQuantity.default("4"),
  limits_memory: bytesQuantity.default("8Gi"),
  pods: count.default(20),
  services: count.default(10),
  services_nodeports: count.default(2),
  services_loadbalancers: count.default(0),
  persistentvolumeclaims: count.default(5),
  requests_storage: bytesQuantity.default("20Gi"),
});

/** The LimitRange `labforge-limits`: per-container defaults (so the quota can be enforced) and maximums. */
const limitRange = z.strictObject({
  default_request_cpu: cpuQuantity.default("100m"),
  default_request_memory: bytesQuantity.default("128Mi"),
  default_limit_cpu: cpuQuantity.default("500m"),
  default_limit_memory: bytesQuantity.default("512Mi"),
  max_cpu: cpuQuantity.default("2"),
  max_memory: bytesQuantity.default("4Gi"),
}).superRefine((l, ctx) => {
  // Kubernetes refuses a LimitRange whose default request exceeds its default limit, or a default above the max.
  const order = (what: "cpu" | "memory", parse: (q: string) => number | undefined) => {
    const [req, lim, max] = [l[`default_request_${what}`], l[`default_limit_${what}`], l[`max_${what}`]].map((q) => parse(q)!);
    if (req! > lim!) ctx.addIssue({ code: "custom", path: [`default_request_${what}`], message: `must not exceed default_limit_${what} (${l[`default_limit_${what}`]})` });
    if (lim! > max!) ctx.addIssue({ code: "custom", path: [`default_limit_${what}`], message: `must not exceed max_${what} (${l[`max_${what}`]})` });
  };
  order("cpu", cpuMillis);
  order("memory", bytesOf);
});

/** `namespace_defaults` of a tenant: every field optional, with the defaults above. */
export const namespaceDefaults = z.strictObject({
  quota: quota.prefault({}),
  limit_range: limitRange.prefault({}),
}).prefault({});

export type NamespaceDefaults = z.infer<typeof namespaceDefaults>;
export type NamespacePolicy = z.infer<typeof namespacePolicy>;
