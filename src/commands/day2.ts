/** `stop`, `start`, `scale <name> workers=N` and `rebuild` (which asks to confirm): day-2 operations on a cluster. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { done, refuse } from "../kernel/outcome.ts";
import { specOf, usageOf } from "./grammar.ts";
import { startCluster, stopCluster } from "../clusters/power.ts";
import { scaleCluster } from "../clusters/scale.ts";
import { confirmRebuildCard, rebuildRefusal } from "../clusters/rebuild.ts";

/** `stop <name>`: queues a power-off. */
export const stop: CommandHandler = async (ctx) => {
  const found = await clusterOf(ctx);
  return found.ok ? stopCluster(ctx.app, ctx.principal, found.cluster) : found.outcome;
};

/** `start <name>`: queues a power-on. */
export const start: CommandHandler = async (ctx) => {
  const found = await clusterOf(ctx);
  return found.ok ? startCluster(ctx.app, ctx.principal, found.cluster) : found.outcome;
};

/** `scale <name> workers=N`: queues the change of worker count; workers= is required. */
export const scale: CommandHandler = async (ctx) => {
  const to = ctx.cmd.options.workers as number | undefined;
  if (to === undefined) return refuse("usage", "scale needs workers=N: how many workers the cluster should have", usageOf(specOf("scale")!));
  const found = await clusterOf(ctx);
  return found.ok ? scaleCluster(ctx.app, ctx.principal, found.cluster, to) : found.outcome;
};

/** `rebuild <name>`: answers with the confirmation; its Rebuild button does the work. */
export const rebuild: CommandHandler = async (ctx) => {
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  return rebuildRefusal(ctx.principal, found.cluster) ?? done(confirmRebuildCard(found.cluster));
};
