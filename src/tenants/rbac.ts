/** Permissions as preconditions that return ok or a failure with a stable code (tests assert codes, not wording). */
import type { Role } from "../config/schema.ts";
import type { Principal } from "./directory.ts";
import { failure, OK, type Check } from "../kernel/outcome.ts";

const RANK: Record<Role, number> = { viewer: 1, student: 2, ta: 3, instructor: 4 };

/** True when the principal holds `min` or higher in the tenant; admins hold every role everywhere. */
export function hasRole(p: Principal, tenant: string, min: Role): boolean {
  if (p.admin) return true;
  const role = p.roles.get(tenant);
  return role !== undefined && RANK[role] >= RANK[min];
}

/** True when the principal ranks strictly above `role` in the tenant (admins outrank every tenant role). */
export function outranks(p: Principal, tenant: string, role: Role): boolean {
  if (p.admin) return true;
  const own = p.roles.get(tenant);
  return own !== undefined && RANK[own] > RANK[role];
}

/** True when the principal is registered anywhere (a member of some tenant, or an admin). */
export function isRegistered(p: Principal): boolean {
  return p.admin || p.roles.size > 0;
}

/** Requires `min` or higher in the tenant. */
export function requireRole(p: Principal, tenant: string, min: Role, doing: string): Check {
  if (hasRole(p, tenant, min)) return OK;
  if (!p.roles.has(tenant)) return failure("rbac.not_member", `you are not a member of ${tenant}, so you cannot ${doing}`);
  return failure("rbac.denied", `only ${ROLE_PLURAL[min]} of ${tenant} can ${doing}; you are ${article(p.roles.get(tenant)!)}`);
}

/** Requires ownership of the cluster (by any of the person's identities), or `min` or higher in its tenant. */
export function requireOwnerOr(p: Principal, cluster: { owner: string; tenant: string; name: string }, min: Role, doing: string): Check {
  if (p.identities.includes(cluster.owner) && p.roles.has(cluster.tenant)) return OK;
  if (hasRole(p, cluster.tenant, min)) return OK;
  if (!p.roles.has(cluster.tenant)) return failure("rbac.not_member", `you are not a member of ${cluster.tenant}, so you cannot ${doing}`);
  return failure("rbac.denied", `only the owner of ${cluster.name} or ${ROLE_PLURAL[min]} of ${cluster.tenant} can ${doing}`);
}

const ROLE_PLURAL: Record<Role, string> = { viewer: "members", student: "students and staff", ta: "TAs and instructors", instructor: "instructors" };

function article(role: Role): string {
  return role === "instructor" ? "an instructor" : `a ${role === "ta" ? "TA" : role}`;
}
