/** What the owner of an expiring cluster is sent: the reminder with Extend / Delete now, and the expiry notice. */
import type { Card } from "../kernel/cards.ts";
import type { Cluster } from "../db/schema.ts";
import { describeSpan, formatDuration } from "../config/duration.ts";
import { formatTime } from "../util/time.ts";

/** The owner is reminded this long before a cluster expires (SPEC §3). */
export const REMIND_BEFORE_MS = 24 * 3_600_000;

/** The reminder DM: when the cluster goes, and buttons to keep it longer or let it go now. */
export function reminderCard(c: Cluster, now: number, stepMs: number): Card {
  const left = describeSpan(c.expires_at! - now);
  return {
    title: `${c.name} expires in ${left}`,
    text: `Your cluster ${c.name} (${c.tenant}) expires ${formatTime(c.expires_at!)}; then its VMs are destroyed with everything on them. `
      + `Extend adds ${formatDuration(stepMs)}; /cluster extend ${c.name} <duration> picks another span. If you are done with it, delete it now to free the hardware for others.`,
    tone: "warning",
    buttons: [
      { label: "Extend", action: "extend", value: c.id, style: "primary" },
      { label: "Delete now", action: "delete.now", value: c.id, style: "danger" },
    ],
  };
}

/** The DM sent when a cluster expires; `whileDown` says the bot was not running at the moment it expired. */
export function expiredCard(c: Cluster, whileDown: boolean): Card {
  const when = formatTime(c.expires_at!);
  return {
    title: `${c.name} expired`,
    text: whileDown
      ? `Your cluster ${c.name} (${c.tenant}) expired at ${when} while labforge was not running, so it is being destroyed now.`
      : `Your cluster ${c.name} (${c.tenant}) reached its expiry at ${when} and is being destroyed.`,
    tone: "warning",
  };
}
