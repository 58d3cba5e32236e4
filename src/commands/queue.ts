/** `queue`: what runs and what waits, with positions. */
import type { CommandHandler } from "./context.ts";
import { done, refuse } from "../kernel/outcome.ts";
import { isRegistered } from "../tenants/rbac.ts";
import { STEP_LABELS, type ProvisionStep } from "../provisioning/driver.ts";
import { formatTime } from "../util/time.ts";

export const queue: CommandHandler = async ({ app, principal }) => {
  if (!isRegistered(principal)) return refuse("rbac.not_member", "you are not in any tenant");
  const { running, queued, held } = await app.jobs.snapshot();
  const ids = [...new Set([...running, ...queued, ...held].map((j) => j.cluster_id))];
  const names = new Map((ids.length ? await app.db.k.selectFrom("clusters").select(["id", "name"]).where("id", "in", ids).execute() : []).map((c) => [c.id, c.name]));
  const line = (j: (typeof running)[number]) => `${j.kind} ${j.tenant}/${names.get(j.cluster_id) ?? j.cluster_id} for ${j.owner}`;
  const lines = [
    ...running.map((j) => `running  ${line(j)}${j.current_step ? ` · ${STEP_LABELS[j.current_step as ProvisionStep] ?? j.current_step}` : ""}`),
    ...queued.map((j, i) => `${String(i + 1).padStart(2)}.      ${line(j)}`),
    ...held.map((j) => `held     ${line(j)} · until ${formatTime(j.run_at)}`),
  ];
  return done({
    title: `Queue: ${running.length} running, ${queued.length} waiting${held.length ? `, ${held.length} held until later` : ""} (at most ${app.jobs.concurrency} at once)`,
    code: lines.length ? lines.join("\n") : undefined,
    text: lines.length ? undefined : "Nothing is queued or running.",
  });
};
