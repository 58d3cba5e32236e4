/** The Approve / Reject card staff see, and what it becomes once decided. */
import type { Card } from "../../kernel/cards.ts";
import type { Cluster, Request } from "../../db/schema.ts";
import { formatDuration } from "../../config/duration.ts";
import { shapeOf } from "../render.ts";
import { formatTime } from "../../util/time.ts";

const DECIDED: Record<string, string> = { approved: "Approved", rejected: "Rejected", lapsed: "Lapsed", cancelled: "Withdrawn" };

/** The card for a request; buttons only while it is pending. */
export function approvalCard(r: Request, c: Cluster, requesterLabel: string, deciderLabel?: string): Card {
  const card: Card = {
    title: `Cluster request #${r.id}: ${c.name} · ${c.tenant}`,
    fields: [
      { label: "Requested by", value: requesterLabel },
      { label: "Nodes", value: shapeOf(c) },
      { label: "Lifetime", value: formatDuration(c.ttl_ms) },
    ],
    tone: r.state === "pending" ? "info" : r.state === "approved" ? "success" : "warning",
  };
  if (r.state === "pending") {
    card.text = `Lapses ${formatTime(r.lapses_at)} unless decided. Or type /cluster approve ${r.id} or /cluster reject ${r.id} <reason>.`;
    card.buttons = [
      { label: "Approve", action: "approve", value: String(r.id), style: "primary" },
      { label: "Reject", action: "reject", value: String(r.id), style: "danger" },
    ];
  } else {
    const by = deciderLabel ? ` by ${deciderLabel}` : "";
    card.text = `${DECIDED[r.state] ?? r.state}${by}${r.decided_at ? ` at ${formatTime(r.decided_at)}` : ""}${r.reason ? `: ${r.reason}` : ""}`;
  }
  return card;
}
