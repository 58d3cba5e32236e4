/** The cards of a class session: its root message (ready / total, updated in place) and `class status`. */
import type { Card, Field } from "../kernel/cards.ts";
import type { ClassSession, Cluster } from "../db/schema.ts";
import { formatZoned } from "../util/local-time.ts";
import { STATE_TEXT } from "./render.ts";

/** Clusters a session still counts (a deleted or rejected one is no longer part of the class). */
export function countedClusters(clusters: readonly Cluster[]): Cluster[] {
  return clusters.filter((c) => c.state !== "deleted" && c.state !== "rejected");
}

/** `28 ready · 1 provisioning · 1 failed`, in the order of the pipeline. */
export function stateCounts(clusters: readonly Cluster[]): string {
  const counts = new Map<string, number>();
  for (const c of clusters) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const order: Cluster["state"][] = ["ready", "provisioning", "queued", "failed", "deleting", "expired"];
  return order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${STATE_TEXT[s].toLowerCase()}`).join(" · ") || "no clusters";
}

/** The session's root message in its channel. */
export function sessionCard(s: ClassSession, clusters: readonly Cluster[], zone: string, now: number): Card {
  const live = countedClusters(clusters);
  const ready = live.filter((c) => c.state === "ready").length;
  const title = `Class session ${s.name} · ${s.tenant}: ${ready} / ${live.length} ready`;
  if (s.state === "deleted") {
    return { title: `Class session ${s.name} · ${s.tenant}: deleted`, text: live.length > 0 ? `Destroying: ${stateCounts(live)}.` : "All its clusters are gone.", tone: "info" };
  }
  const fields: Field[] = [
    { label: "Clusters", value: stateCounts(live) },
    // A session made without at= starts when it is made: no lab time to show.
    ...(s.starts_at > s.created_at ? [{ label: "Lab starts", value: formatZoned(s.starts_at, zone) }] : []),
    { label: s.provision_at > now ? "Provisioning starts" : "Provisioning started", value: formatZoned(s.provision_at, zone) },
  ];
  const failed = live.filter((c) => c.state === "failed").length;
  const card: Card = { title, fields, progress: { done: ready, total: live.length, label: "clusters ready" }, tone: failed > 0 ? "warning" : ready === live.length && ready > 0 ? "success" : "info" };
  if (failed > 0) card.text = `${failed} failed: the thread under this message has the step and a Retry button for each.`;
  else if (ready === live.length && ready > 0) card.text = "Every student has a ready cluster and their kubeconfig by direct message.";
  return card;
}

/** `class status`: the session's plan and one line per student. */
export function sessionStatusCard(s: ClassSession, clusters: readonly Cluster[], zone: string, now: number, label: (id: string) => string): Card {
  const live = countedClusters(clusters);
  const width = Math.max(...live.map((c) => c.name.length), 4);
  const lines = live.map((c) => `${c.name.padEnd(width)}  ${STATE_TEXT[c.state].padEnd(12)}  ${label(c.owner)}`);
  return {
    ...sessionCard(s, clusters, zone, now),
    code: lines.length > 0 ? lines.join("\n") : undefined,
  };
}
