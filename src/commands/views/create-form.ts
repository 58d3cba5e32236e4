/** What a create form (Slack's modal) offers a user: their tenants with limits, and the sizes. */
import type { App } from "../../clusters/app.ts";
import { hasRole } from "../../tenants/rbac.ts";
import { formatDuration } from "../../config/duration.ts";
import type { CreateForm } from "../../kernel/ports.ts";

/** The tenants where the user may create clusters, for the form's choices. */
export async function createForm(app: App, identity: string, channel: string): Promise<CreateForm> {
  const p = await app.directory.principal(identity);
  const tenants = Object.entries(app.config.tenants).filter(([id]) => hasRole(p, id, "student")).map(([id, t]) => ({
    id, name: t.name, maxWorkers: t.limits.max_workers, defaultTtl: formatDuration(t.limits.default_ttl), maxTtl: formatDuration(t.limits.max_ttl),
  }));
  const fromChannel = app.directory.tenantForChannel(channel);
  const defaultTenant = tenants.find((t) => t.id === fromChannel)?.id ?? (tenants.length === 1 ? tenants[0]!.id : undefined);
  return { tenants, sizes: Object.keys(app.config.sizes), defaultTenant };
}
