/** `status <name>`: state, nodes and IPs, age, expiry, queue position and the last step. */
import type { CommandHandler } from "./context.ts";
import { clusterOf } from "./context.ts";
import { done, refused } from "../kernel/outcome.ts";
import { requireOwnerOr } from "../tenants/rbac.ts";
import { clusterCard } from "../clusters/render.ts";
import { latestJob } from "../jobs/repo.ts";
import { queuePosition } from "../clusters/queue-position.ts";
import { describeSpan } from "../config/duration.ts";
import { STEP_LABELS, type ProvisionStep } from "../provisioning/driver.ts";

export const status: CommandHandler = async (ctx) => {
  const { app, principal } = ctx;
  const found = await clusterOf(ctx);
  if (!found.ok) return found.outcome;
  const c = found.cluster;
  const allowed = requireOwnerOr(principal, c, "ta", `see the status of ${c.name}`);
  if (!allowed.ok) return refused(allowed);
  const job = await latestJob(app.db.k, c.id);
  const card = clusterCard(c, job, app.directory.label(c.owner));
  const now = app.clock.now();
  card.fields!.push({ label: "Age", value: describeSpan(now - c.created_at) });
  const position = await queuePosition(app, c.id);
  if (position) card.fields!.push({ label: "Queue position", value: String(position) });
  if (job?.last_step) card.fields!.push({ label: "Last step", value: `${STEP_LABELS[job.last_step as ProvisionStep] ?? job.last_step} (${job.kind}, attempt ${job.attempts})` });
  if (c.state === "failed" && job?.log_tail) card.code = job.log_tail.split("\n").slice(-8).join("\n");
  return done(card);
};
