/** A bounded, redacted log tail for one job. */
import type { Redactor } from "../util/redact.ts";

export class StepLog {
  private readonly lines: string[] = [];

  constructor(private readonly redactor: Redactor, initial: string | null = null, private readonly max = 40) {
    if (initial) this.lines.push(...initial.split("\n").slice(-max));
  }

  /** Adds a line, redacted, dropping the oldest past the limit. */
  add(line: string): void {
    for (const l of this.redactor.redact(line).split("\n")) {
      this.lines.push(l.slice(0, 500));
      if (this.lines.length > this.max) this.lines.shift();
    }
  }

  /** The last `n` lines. */
  tail(n = this.max): string {
    return this.lines.slice(-n).join("\n");
  }
}
