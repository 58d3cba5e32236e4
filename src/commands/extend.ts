/** `extend <name> <duration>`: moves the expiry; the owner up to max_ttl from now, instructors beyond. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { parseDuration } from "../config/duration.ts";
import { extendCluster } from "../clusters/extend.ts";

export const extend: CommandHandler = async (ctx) => {
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  // The parser has checked the duration already.
  const byMs = parseDuration(ctx.cmd.args.duration!)!;
  return extendCluster(ctx.app, ctx.principal, found.cluster, byMs, false);
};
