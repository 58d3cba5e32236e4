/** `approve <id|name>` and `reject <id|name> [reason]`: the text form of the approval buttons. */
import type { CommandHandler, CommandContext } from "./context.ts";
import { refuse } from "../kernel/outcome.ts";
import { parseRequestRef } from "./values.ts";
import { decide, findRequest, type Decision } from "../clusters/approvals/decide.ts";
import { resolveTenant } from "../tenants/resolve.ts";

async function decideByText(ctx: CommandContext, decision: Decision) {
  const { app, principal, cmd } = ctx;
  const ref = parseRequestRef(cmd.args.request!)!;
  const t = resolveTenant(app.config, app.directory, principal, ctx.where.channel, cmd.options.tenant as string | undefined);
  const request = await findRequest(app, ref, t.ok ? t.tenant : undefined);
  if (!request) {
    if (!t.ok && "name" in ref) return refuse(t.code, t.message);
    return refuse("approval.not_found", `there is no request ${"id" in ref ? `#${ref.id}` : `for a cluster named ${ref.name}`}`);
  }
  return decide(app, principal, request, decision, cmd.args.reason);
}

export const approve: CommandHandler = (ctx) => decideByText(ctx, "approve");
export const reject: CommandHandler = (ctx) => decideByText(ctx, "reject");
