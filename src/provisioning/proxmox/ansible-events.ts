/** Follows ansible-playbook's default screen output: the current task, each host's result, and the final recap. */

export type TaskStatus = "ok" | "changed" | "skipping" | "failed" | "unreachable";

export interface HostRecap { ok: number; changed: number; unreachable: number; failed: number; skipped: number; rescued: number; ignored: number }

export interface AnsibleEventSink {
  progress(detail: string): void;
  log(line: string): void;
}

const TASK = /^(?:TASK|RUNNING HANDLER) \[(.+?)\] \*+$/;
const PLAY = /^PLAY \[(.*?)\] \*+$/;
const RESULT = /^(ok|changed|skipping|fatal|failed|unreachable): \[([^\]\s]+)(?: -> [^\]]+)?\]/;
const RECAP = /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/;

export class AnsibleEvents {
  private task = "";
  private inRecap = false;
  private lastWasFailure = false;
  readonly recap = new Map<string, HostRecap>();
  /** Hosts that failed or were unreachable, with the task where it happened. */
  readonly failures: { host: string; task: string; status: TaskStatus; text: string }[] = [];

  constructor(private readonly sink: AnsibleEventSink) {}

  /** Feeds one line of output. */
  line(raw: string): void {
    const line = raw.trimEnd();
    if (!line.trim()) return;
    const continuing = this.lastWasFailure;
    this.lastWasFailure = false;
    let m: RegExpExecArray | null;
    if ((m = PLAY.exec(line))) { this.sink.log(`play: ${m[1]}`); return; }
    if ((m = TASK.exec(line))) { this.task = m[1]!; return; }
    if (line.startsWith("PLAY RECAP")) { this.inRecap = true; return; }
    if (this.inRecap && (m = RECAP.exec(line))) {
      const [ok, changed, unreachable, failed, skipped, rescued, ignored] = m.slice(2).map(Number) as [number, number, number, number, number, number, number];
      this.recap.set(m[1]!, { ok, changed, unreachable, failed, skipped, rescued, ignored });
      this.sink.log(`recap ${m[1]}: ok=${m[2]} changed=${m[3]} unreachable=${m[4]} failed=${m[5]} skipped=${m[6]}`);
      return;
    }
    if ((m = RESULT.exec(line))) {
      const status: TaskStatus = m[1] === "fatal" ? (/UNREACHABLE!/.test(line) ? "unreachable" : "failed") : (m[1] as TaskStatus);
      const host = m[2]!;
      if (status !== "skipping") this.sink.progress(`${this.task} · ${host}: ${status}`);
      if (status === "failed" || status === "unreachable") {
        this.failures.push({ host, task: this.task, status, text: line });
        this.lastWasFailure = true;
        this.sink.log(line);
      }
      return;
    }
    // ignore_errors: the failure just reported does not count.
    if (line.trim() === "...ignoring") { this.failures.pop(); this.sink.log(line); return; }
    // Other lines (a failure's message in a multi-line result format, warnings) go to the log only.
    if (continuing) {
      this.failures.at(-1)!.text += `\n${line}`;
      this.lastWasFailure = true;
    }
    this.sink.log(line);
  }

  /** Total changed tasks across hosts, from the recap. */
  changed(): number {
    return [...this.recap.values()].reduce((n, r) => n + r.changed, 0);
  }
}
