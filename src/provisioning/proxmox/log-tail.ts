/** A bounded list of the last lines a subprocess printed, redacted before they are kept. */
import type { Redactor } from "../../util/redact.ts";

export class LogTail {
  private readonly lines: string[] = [];

  constructor(private readonly redactor: Redactor, private readonly max = 30) {}

  /** Keeps a redacted line, dropping the oldest past the limit; returns the redacted text. */
  add(line: string): string {
    const clean = this.redactor.redact(line);
    this.lines.push(clean.slice(0, 500));
    if (this.lines.length > this.max) this.lines.shift();
    return clean;
  }

  /** The kept lines, oldest first. */
  all(): string[] {
    return [...this.lines];
  }
}
