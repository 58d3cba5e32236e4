/** `grant <identity|@mention> <role> [tenant=…]` and `revoke <identity|@mention> [tenant=…]`. */
import type { CommandHandler, CommandContext } from "./context.ts";
import { tenantOf } from "./context.ts";
import { refuse, type Outcome } from "../kernel/outcome.ts";
import { resolvePerson } from "./values.ts";
import { grantRole, revokeRole } from "../clusters/grants.ts";
import type { Role } from "../config/schema.ts";

function target(ctx: CommandContext): { ok: true; identity: string; tenant: string } | { ok: false; outcome: Outcome } {
  const t = tenantOf(ctx);
  if (!t.ok) return t;
  const raw = ctx.cmd.args.person!;
  const identity = resolvePerson(raw, ctx.principal.identity);
  if (!identity) return { ok: false, outcome: refuse("usage", `"${raw}" is not a person: write an identity like slack:U0BOB or an @mention`) };
  return { ok: true, identity, tenant: t.tenant };
}

export const grant: CommandHandler = async (ctx) => {
  const t = target(ctx);
  if (!t.ok) return t.outcome;
  return grantRole(ctx.app, ctx.principal, t.tenant, t.identity, ctx.cmd.args.role as Role);
};

export const revoke: CommandHandler = async (ctx) => {
  const t = target(ctx);
  if (!t.ok) return t.outcome;
  return revokeRole(ctx.app, ctx.principal, t.tenant, t.identity);
};
