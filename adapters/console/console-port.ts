/** The console's ChatPort: prints channel posts, thread replies, DMs and private replies with clear labels. */
import type { Writable } from "node:stream";
import type { Attachment, Button, Card } from "../../src/kernel/cards.ts";
import type { ChatPort } from "../../src/kernel/ports.ts";
import { renderCard, renderUpdate } from "./render.ts";

export interface PressableButton extends Button {
  /** Only this identity may see the button (a private reply or a DM); undefined for channel messages. */
  visibleTo?: string;
}

export class ConsolePort implements ChatPort {
  readonly platform = "console";
  private messages = 0;
  private readonly buttons: PressableButton[] = [];
  private readonly channelOf = new Map<string, string>();

  constructor(private readonly out: Writable) {}

  async post(channel: string, card: Card): Promise<string> {
    const ref = this.newRef(channel);
    this.print(`[${show(channel)} · message ${refNo(ref)}]`, card);
    return ref;
  }

  async update(ref: string, card: Card): Promise<void> {
    this.write(`[${show(this.channelOf.get(ref) ?? "?")} · message ${refNo(ref)} updated] ${renderUpdate(card)}`);
    if (card.buttons?.length) this.print(`[${show(this.channelOf.get(ref) ?? "?")} · message ${refNo(ref)} buttons]`, { title: "Actions", buttons: card.buttons });
  }

  async replyInThread(ref: string, card: Card): Promise<string> {
    const reply = this.newRef(this.channelOf.get(ref) ?? "?");
    this.print(`[${show(this.channelOf.get(ref) ?? "?")} › thread of message ${refNo(ref)}]`, card);
    return reply;
  }

  async ephemeral(channel: string, identity: string, card: Card): Promise<void> {
    this.print(`[${show(channel)} · only ${identity} sees this]`, card, identity);
  }

  async dm(identity: string, card: Card, file?: Attachment): Promise<string> {
    const ref = this.newRef(`dm:${identity}`);
    this.print(`[DM to ${identity}]`, card, identity);
    if (file) {
      this.write(`  📎 ${file.filename} (${Buffer.byteLength(file.content)} bytes)`);
      this.write(file.content.trimEnd().split("\n").map((l) => `  │ ${l}`).join("\n"));
    }
    return ref;
  }

  /** Prints a reply to a command, as the caller sees it. */
  reply(identity: string, channel: string, card: Card, isPrivate: boolean): void {
    this.print(isPrivate ? `[${show(channel)} · only you (${identity})]` : `[${show(channel)}]`, card, isPrivate ? identity : undefined);
  }

  /** The button with this number, or the newest one with this label. */
  findButton(which: string): PressableButton | undefined {
    if (/^[0-9]+$/.test(which)) return this.buttons[Number(which) - 1];
    const label = which.toLowerCase();
    return [...this.buttons].reverse().find((b) => b.label.toLowerCase() === label);
  }

  /** Prints a plain line. */
  write(line: string): void {
    this.out.write(`${line}\n`);
  }

  private print(label: string, card: Card, visibleTo?: string): void {
    const first = this.buttons.length + 1;
    for (const b of card.buttons ?? []) this.buttons.push({ ...b, visibleTo });
    this.write([label, ...renderCard(card, (i) => first + i)].join("\n"));
  }

  private newRef(channel: string): string {
    const ref = `console:m${++this.messages}`;
    this.channelOf.set(ref, channel);
    return ref;
  }
}

function show(channel: string): string {
  return channel.startsWith("console:") ? channel.slice("console:".length) : channel;
}

function refNo(ref: string): string {
  return ref.slice("console:m".length);
}
