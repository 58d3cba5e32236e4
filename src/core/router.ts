/** Routes outbound chat calls to the port of the platform a ref, channel or identity belongs to. */
import type { Attachment, Card } from "./cards.ts";
import type { ChatPort } from "./ports.ts";

export class ChatRouter implements Omit<ChatPort, "platform"> {
  private readonly ports = new Map<string, ChatPort>();
  private fallback: ChatPort | undefined;

  /** Adds a platform's port; the first one added also takes refs no other port claims (the console). */
  register(port: ChatPort, { fallback = false } = {}): void {
    this.ports.set(port.platform, port);
    if (fallback || !this.fallback) this.fallback = port;
  }

  /** True when at least one port is registered. */
  get hasPorts(): boolean { return this.ports.size > 0; }

  private portFor(ref: string): ChatPort {
    const port = this.ports.get(ref.slice(0, ref.indexOf(":"))) ?? this.fallback;
    if (!port) throw new Error(`no chat adapter for ${ref.slice(0, ref.indexOf(":"))}`);
    return port;
  }

  post(channel: string, card: Card): Promise<string> { return this.portFor(channel).post(channel, card); }
  update(ref: string, card: Card): Promise<void> { return this.portFor(ref).update(ref, card); }
  replyInThread(ref: string, card: Card): Promise<string> { return this.portFor(ref).replyInThread(ref, card); }
  ephemeral(channel: string, identity: string, card: Card): Promise<void> { return this.portFor(channel).ephemeral(channel, identity, card); }
  dm(identity: string, card: Card, file?: Attachment): Promise<string> { return this.portFor(identity).dm(identity, card, file); }
}
