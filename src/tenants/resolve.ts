/** Which tenant a command is about: `tenant=`, else the channel's tenant, else the caller's only tenant. */
import type { Config } from "../config/schema.ts";
import type { Directory, Principal } from "./directory.ts";
import { failure, type Check } from "../kernel/outcome.ts";

export type TenantResult = { ok: true; tenant: string } | Extract<Check, { ok: false }>;

/** Resolves the tenant for a command; the failure lists the caller's tenants. */
export function resolveTenant(config: Config, directory: Directory, p: Principal, channel: string, explicit?: string): TenantResult {
  const yours = p.admin ? Object.keys(config.tenants) : [...p.roles.keys()];
  if (explicit !== undefined) {
    if (!directory.hasTenant(explicit)) return failure("tenant.unknown", `there is no tenant "${explicit}"; yours: ${yours.join(", ") || "none"}`) as TenantResult;
    return { ok: true, tenant: explicit };
  }
  const fromChannel = directory.tenantForChannel(channel);
  if (fromChannel) return { ok: true, tenant: fromChannel };
  if (yours.length === 1) return { ok: true, tenant: yours[0]! };
  return failure("tenant.ambiguous", `this channel belongs to no tenant; add tenant=<id> (yours: ${yours.join(", ")})`) as TenantResult;
}

