/** What a command handler receives. */
import type { App } from "../clusters/app.ts";
import type { Actor, Where } from "../kernel/ports.ts";
import type { Principal } from "../tenants/directory.ts";
import type { ParsedCommand } from "./parse.ts";
import type { Outcome } from "../kernel/outcome.ts";
import type { Cluster } from "../db/schema.ts";
import { resolveTenant } from "../tenants/resolve.ts";
import { findLiveCluster } from "../clusters/repo.ts";
import { refuse, refused } from "../kernel/outcome.ts";

export interface CommandContext {
  app: App;
  actor: Actor;
  where: Where;
  principal: Principal;
  cmd: ParsedCommand;
}

export type CommandHandler = (ctx: CommandContext) => Promise<Outcome>;

/** Resolves the command's tenant (tenant=, channel, or the caller's only one). */
export function tenantOf(ctx: CommandContext): { ok: true; tenant: string } | { ok: false; outcome: Outcome } {
  const r = resolveTenant(ctx.app.config, ctx.app.directory, ctx.principal, ctx.where.channel, ctx.cmd.options.tenant as string | undefined);
  return r.ok ? r : { ok: false, outcome: refused(r) };
}

/** Finds the live cluster named in the command's `name` argument (or `arg`), in the resolved tenant. */
export async function clusterOf(ctx: CommandContext, arg = "name"): Promise<{ ok: true; cluster: Cluster } | { ok: false; outcome: Outcome }> {
  const t = tenantOf(ctx);
  if (!t.ok) return t;
  const name = ctx.cmd.args[arg]!;
  const cluster = await findLiveCluster(ctx.app.db.k, t.tenant, name);
  if (!cluster) return { ok: false, outcome: refuse("cluster.not_found", `there is no cluster named ${name} in ${t.tenant}; see /cluster list`) };
  return { ok: true, cluster };
}
