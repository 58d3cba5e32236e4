/** Routes outbound chat calls to the port of the platform a ref, channel or identity belongs to. */
import type { Attachment, Card, Reply } from "../kernel/cards.ts";
import type { ChatPort } from "../kernel/ports.ts";
import type { Metrics } from "../metrics.ts";

export class ChatRouter implements Omit<ChatPort, "platform" | "answerLate"> {
  private readonly ports = new Map<string, ChatPort>();
  private fallback: ChatPort | undefined;

  constructor(private readonly metrics?: Metrics) {}

  /** Adds a platform's port; the first one added also takes refs no other port claims (the console). */
  register(port: ChatPort, { fallback = false } = {}): void {
    this.ports.set(port.platform, port);
    if (fallback || !this.fallback) this.fallback = port;
  }

  /** True when at least one port is registered. */
  get hasPorts(): boolean { return this.ports.size > 0; }

  /** The port for a ref, counting the call by platform and operation. */
  private portFor(ref: string, operation: string): ChatPort {
    const port = this.ports.get(ref.slice(0, ref.indexOf(":"))) ?? this.fallback;
    if (!port) throw new Error(`no chat adapter for ${ref.slice(0, ref.indexOf(":"))}`);
    this.metrics?.chatCalls.inc({ platform: port.platform, method: operation });
    return port;
  }

  post(channel: string, card: Card): Promise<string> { return this.portFor(channel, "post").post(channel, card); }
  update(ref: string, card: Card): Promise<void> { return this.portFor(ref, "update").update(ref, card); }
  replyInThread(ref: string, card: Card): Promise<string> { return this.portFor(ref, "thread").replyInThread(ref, card); }
  ephemeral(channel: string, identity: string, card: Card): Promise<void> { return this.portFor(channel, "ephemeral").ephemeral(channel, identity, card); }
  dm(identity: string, card: Card, file?: Attachment): Promise<string> { return this.portFor(identity, "dm").dm(identity, card, file); }

  /** Answers through a stored response channel after a restart; false when its port cannot. */
  async answerLate(respondRef: string, reply: Reply): Promise<boolean> {
    const port = this.portFor(respondRef, "answer_late");
    return port.answerLate ? port.answerLate(respondRef, reply) : false;
  }
}
