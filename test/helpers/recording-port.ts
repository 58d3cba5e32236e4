/** A ChatPort that records every outbound call, for asserting what users would see. */
import type { Attachment, Card, Reply } from "../../src/kernel/cards.ts";
import type { ChatPort } from "../../src/kernel/ports.ts";

export interface Sent {
  kind: "post" | "update" | "thread" | "ephemeral" | "dm";
  /** Channel, message ref or identity the call went to. */
  target: string;
  ref: string;
  card: Card;
  file?: Attachment;
}

export class RecordingPort implements ChatPort {
  readonly platform: string;
  readonly sent: Sent[] = [];
  private n = 0;

  constructor(platform = "console") {
    this.platform = platform;
  }

  async post(channel: string, card: Card): Promise<string> { return this.record("post", channel, card); }
  async update(ref: string, card: Card): Promise<void> { this.record("update", ref, card); }
  async replyInThread(ref: string, card: Card): Promise<string> { return this.record("thread", ref, card); }
  async ephemeral(channel: string, _identity: string, card: Card): Promise<void> { this.record("ephemeral", channel, card); }
  async dm(identity: string, card: Card, file?: Attachment): Promise<string> { return this.record("dm", identity, card, file); }

  /** Answers given through a stored response channel after a restart; refs in `deadRefs` answer false. */
  readonly late: { ref: string; reply: Reply }[] = [];
  readonly deadRefs = new Set<string>();

  async answerLate(ref: string, reply: Reply): Promise<boolean> {
    if (this.deadRefs.has(ref)) return false;
    this.late.push({ ref, reply: structuredClone(reply) });
    return true;
  }

  /** Direct messages sent to one identity. */
  dmsTo(identity: string): Sent[] {
    return this.sent.filter((s) => s.kind === "dm" && s.target === identity);
  }

  /** Everything sent, as one string, for leak checks. */
  dump(): string {
    return JSON.stringify(this.sent);
  }

  private record(kind: Sent["kind"], target: string, card: Card, file?: Attachment): string {
    const ref = `${this.platform}:ref${++this.n}`;
    this.sent.push({ kind, target, ref, card: structuredClone(card), file });
    return ref;
  }
}
