/** Lookups by a name that came from a user or the database: own keys only, so `constructor` is never a tenant or a size. */
import type { Config, SizeConfig, TenantConfig } from "./schema.ts";

/** The tenant's settings, or undefined when no tenant of that id is configured. */
export function tenantConfig(config: Config, id: string): TenantConfig | undefined {
  return Object.hasOwn(config.tenants, id) ? config.tenants[id] : undefined;
}

/** The size's settings, or undefined when no size of that name is configured. */
export function sizeConfig(config: Config, name: string): SizeConfig | undefined {
  return Object.hasOwn(config.sizes, name) ? config.sizes[name] : undefined;
}
