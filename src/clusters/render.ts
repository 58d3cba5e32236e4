/** The neutral cards that describe a cluster: its root progress message and status. */
import type { Card, Field } from "../kernel/cards.ts";
import type { Cluster, Job } from "../db/schema.ts";
import { PROVISION_STEPS, STEP_LABELS, type ProvisionStep } from "../provisioning/driver.ts";
import { formatTime } from "../util/time.ts";
import { nodesOf } from "./repo.ts";

export const STATE_TEXT: Record<Cluster["state"], string> = {
  pending_approval: "Waiting for approval",
  queued: "Queued",
  provisioning: "Provisioning",
  ready: "Ready",
  deleting: "Deleting",
  deleted: "Deleted",
  rejected: "Rejected",
  failed: "Failed",
  expired: "Expired",
  stopping: "Stopping",
  stopped: "Stopped (powered off)",
  starting: "Starting",
  scaling: "Scaling",
};

const TONE: Partial<Record<Cluster["state"], Card["tone"]>> = { ready: "success", failed: "error", rejected: "warning", expired: "warning", deleted: "info" };

/** Describes the node shape: `1 control plane + 2 workers · small (2 vCPU, 2 GB)`. */
export function shapeOf(c: Cluster): string {
  const workers = c.workers === 1 ? "1 worker" : `${c.workers} workers`;
  return `1 control plane + ${workers} · ${c.size} (${c.vcpus} vCPU, ${c.memory_mb / 1024} GB, ${c.disk_gb} GB disk)`;
}

/** Progress through the pipeline for a provisioning job. */
export function progressOf(job: Job | undefined): Card["progress"] {
  if (!job || job.kind !== "provision") return undefined;
  const done = job.last_step ? PROVISION_STEPS.indexOf(job.last_step as ProvisionStep) + 1 : 0;
  const current = (job.current_step ?? PROVISION_STEPS[Math.min(done, PROVISION_STEPS.length - 1)]) as ProvisionStep;
  return { done, total: PROVISION_STEPS.length, label: STEP_LABELS[current] ?? current };
}

/** The root message for a cluster, kept up to date in place. */
export function clusterCard(c: Cluster, job: Job | undefined, ownerLabel: string): Card {
  const fields: Field[] = [
    { label: "State", value: STATE_TEXT[c.state] },
    { label: "Owner", value: ownerLabel },
    { label: "Nodes", value: shapeOf(c) },
  ];
  const nodes = nodesOf(c);
  if (nodes.length > 0 && c.state !== "deleted") fields.push({ label: "IPs", value: nodes.map((n) => `${n.name} ${n.ip}`).join(", ") });
  if (c.expires_at && !["deleted", "rejected"].includes(c.state)) fields.push({ label: "Expires", value: formatTime(c.expires_at) });
  if (c.state === "ready" && c.auto_stop_at) fields.push({ label: "Auto-stop", value: formatTime(c.auto_stop_at) });
  const card: Card = { title: `${c.name} · ${c.tenant}`, fields, tone: TONE[c.state] ?? "info" };
  if (c.state === "provisioning" || c.state === "queued") card.progress = progressOf(job);
  if (c.state === "failed" && c.failure) card.text = c.failure;
  if (c.state === "ready") {
    card.text = "Ready. The owner gets the kubeconfig by direct message; /cluster kubeconfig sends it again.";
    card.buttons = [{ label: "Stop", action: "stop", value: c.id }];
  }
  if (c.state === "stopped") {
    card.text = "Stopped: the VMs are powered off; name, IPs and kubeconfig stay. Its vCPUs and memory do not count against the quota.";
    card.buttons = [{ label: "Start", action: "start", value: c.id, style: "primary" }];
  }
  if (c.state === "pending_approval") card.text = "Waiting for an instructor or TA to approve.";
  if (c.state === "rejected" && c.failure) card.text = c.failure;
  return card;
}

/** One-line summary for lists: `lab3 · Ready · 1+2 small · expires 2026-12-08 10:00 UTC`. */
export function clusterLine(c: Cluster, showOwner: boolean): string {
  const parts = [`${c.name}`, STATE_TEXT[c.state], `1+${c.workers} ${c.size}`];
  if (showOwner) parts.push(c.owner);
  if (c.expires_at) parts.push(`expires ${formatTime(c.expires_at)}`);
  return parts.join(" · ");
}

