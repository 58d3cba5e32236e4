/** Turns terraform's `-json` machine-readable stream into progress ("resources 3/7") and log lines. */
import { z } from "zod";

const resource = z.object({ addr: z.string() }).loose();

/** The message types labforge reads; others are logged by their @message only. */
const message = z.object({
  "@level": z.string().optional(),
  "@message": z.string().optional(),
  type: z.string(),
  change: z.object({ action: z.string(), resource }).loose().optional(),
  hook: z.object({ resource: resource.optional(), action: z.string().optional(), output: z.string().optional() }).loose().optional(),
  changes: z.object({ add: z.number(), change: z.number(), remove: z.number(), operation: z.string() }).loose().optional(),
  diagnostic: z.object({ severity: z.string(), summary: z.string(), detail: z.string().optional() }).loose().optional(),
}).loose();

export interface TerraformEventSink {
  progress(detail: string): void;
  log(line: string): void;
}

/** Follows one apply or destroy: counts planned changes, reports each finished one, logs diagnostics. */
export class TerraformEvents {
  private planned = 0;
  private done = 0;
  private readonly verb: string;

  constructor(private readonly sink: TerraformEventSink, destroying = false) {
    this.verb = destroying ? "destroyed" : "applied";
  }

  /** Feeds one line of stdout; lines that are not JSON (rare: crash output) are logged as they are. */
  line(raw: string): void {
    if (!raw.trim()) return;
    let parsed;
    try { parsed = message.safeParse(JSON.parse(raw)); } catch { this.sink.log(raw); return; }
    if (!parsed.success) { this.sink.log(raw); return; }
    const m = parsed.data;
    switch (m.type) {
      case "planned_change": {
        const action = m.change?.action;
        if (action && action !== "no-op" && action !== "read") this.planned += action === "replace" ? 2 : 1;
        return;
      }
      case "change_summary":
        if (m.changes) this.sink.log(m["@message"] ?? `${m.changes.operation}: +${m.changes.add} ~${m.changes.change} -${m.changes.remove}`);
        if (m.changes?.operation === "plan") this.report(); // the plan's total is known now
        return;
      case "apply_complete":
      case "apply_errored":
        this.done++;
        if (m["@message"]) this.sink.log(m["@message"]);
        this.report();
        return;
      case "provision_progress":
        if (m.hook?.output !== undefined) this.sink.log(`${m.hook.resource?.addr ?? "provisioner"}: ${m.hook.output}`);
        return;
      case "diagnostic":
        if (m.diagnostic) {
          this.sink.log(`${m.diagnostic.severity}: ${m.diagnostic.summary}`);
          for (const l of (m.diagnostic.detail ?? "").split("\n")) if (l.trim()) this.sink.log(`  ${l}`);
        }
        return;
      case "apply_start": case "apply_progress": case "refresh_start": case "refresh_complete": case "version": case "outputs":
        return; // too chatty for the log tail, or carried by other messages
      default:
        if (m["@message"]) this.sink.log(m["@message"]);
    }
  }

  /** How many resource changes finished, of how many were planned. */
  counts(): { done: number; planned: number } {
    return { done: this.done, planned: this.planned };
  }

  private report(): void {
    this.sink.progress(`resources ${this.done}/${Math.max(this.planned, this.done)} ${this.verb}`);
  }
}
