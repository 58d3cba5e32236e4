/** The seams between the core and the chat adapters. */
import type { Attachment, Card, Reply, ActionName } from "./cards.ts";
import type { Config } from "../config/schema.ts";
import type { AckGate } from "./ack-gate.ts";

/** What a create form (Slack's modal) offers a user: their tenants with limits, and the sizes. */
export interface CreateForm {
  tenants: { id: string; name: string; maxWorkers: number; defaultTtl: string; maxTtl: string }[];
  sizes: string[];
  /** The tenant preselected: the channel's, else the only one. */
  defaultTenant?: string;
}

/** Who is acting: an identity such as `slack:U0ADA`, with a display name if the platform gave one. */
export interface Actor {
  identity: string;
  displayName?: string;
}

/** Where a command was typed: a channel reference such as `slack:C0CS401`. */
export interface Where {
  channel: string;
}

/** Inbound: a slash command's text. `deliveryId` makes a redelivery a no-op. */
export interface CommandInput {
  actor: Actor;
  where: Where;
  text: string;
  deliveryId?: string;
}

/** Inbound: a button press. `deliveryId` makes a double click a no-op. */
export interface ActionInput {
  actor: Actor;
  where: Where;
  action: ActionName;
  value: string;
  deliveryId?: string;
}

/** What an adapter asks while a user types an option: suggestions for a cluster, request or tenant name. */
export interface AutocompleteInput {
  actor: Actor;
  where: Where;
  kind: "cluster" | "request" | "tenant";
  /** What the user has typed so far (untrusted). */
  prefix: string;
  /** The `tenant=` option if the user already chose one (untrusted). */
  tenant?: string;
}

/** One suggestion: `value` is what the command receives, `label` what the user sees. */
export interface Suggestion {
  value: string;
  label: string;
}

/** Thrown by `ChatPort.dm` when the platform refuses a DM because the user does not accept them (Discord 50007). */
export class DmUnavailableError extends Error {
  constructor(readonly identity: string) {
    super(`${identity} does not accept direct messages from the bot`);
    this.name = "DmUnavailableError";
  }
}

/** Outbound: what the core asks of a chat platform. Message refs are opaque strings made by the port. */
export interface ChatPort {
  /** The platform prefix this port serves (`slack`, `discord`, `console`). */
  readonly platform: string;
  post(channel: string, card: Card): Promise<string>;
  update(ref: string, card: Card): Promise<void>;
  replyInThread(ref: string, card: Card): Promise<string>;
  ephemeral(channel: string, identity: string, card: Card): Promise<void>;
  /** Sends a direct message; returns a ref that `update` accepts. Throws DmUnavailableError when the user's DMs are closed. */
  dm(identity: string, card: Card, file?: Attachment): Promise<string>;
  /** Answers through an inbox entry's `respondRef` after a restart; false when that channel no longer works. */
  answerLate?(respondRef: string, reply: Reply): Promise<boolean>;
}

/** The inbound calls: commands, buttons and the views adapters render. */
export interface CorePort {
  handleCommand(input: CommandInput): Promise<Reply>;
  handleAction(input: ActionInput): Promise<Reply>;
  /** Cards for a home view (Slack's App Home): the caller's clusters and the requests they may decide. */
  home(identity: string): Promise<Card[]>;
  /** Choices for a create form (Slack's modal). */
  createForm(identity: string, channel: string): Promise<CreateForm>;
  /** Suggestions for an option being typed, filtered by what the caller may see; empty on any problem. */
  autocomplete(input: AutocompleteInput): Promise<Suggestion[]>;
}

/**
 * An inbound command or press as the adapter stores it before acknowledging it. `id` is the platform's delivery id
 * (one delivery, never content a user can send again); `respondRef` is the adapter's own way to answer later,
 * valid until `respondUntil` (a Slack response_url for 30 minutes, a Discord interaction token for 15).
 */
export type InboxEntry =
  | { id: string; kind: "command"; input: CommandInput; respondRef?: string; respondUntil?: number }
  | { id: string; kind: "action"; input: ActionInput; respondRef?: string; respondUntil?: number };

/** Where a platform keeps the DM channels it opened, so a restart opens none again. */
export interface DmChannelStore {
  get(identity: string): Promise<string | undefined>;
  set(identity: string, channel: string): Promise<void>;
}

/** All an adapter sees of the core: the inbound calls, where to plug its outbound port, and the configuration it renders. */
export interface InboundPort extends CorePort {
  /** The validated configuration (sizes and limits for typed options, tenants' channels, members for the console). */
  readonly config: Config;
  /**
   * Stores an entry durably (arrivals in the same turn share one transaction); resolve before acknowledging.
   * False when the id was seen before: a redelivery, to acknowledge and otherwise ignore.
   */
  accept(entry: InboxEntry): Promise<boolean>;
  /** Runs a stored entry once, hands its reply to `answer`, and records that it was answered. */
  run(id: string, answer: (reply: Reply) => Promise<void>): Promise<Reply>;
  /** The DM channels the platforms opened. */
  readonly dmChannels: DmChannelStore;
  /** Adapters count here what waits for its acknowledgement; the inbox runs nothing while anything does. */
  readonly acks: AckGate;
  /** Plugs a platform's outbound port in; the fallback port also takes refs no other port claims (the console). */
  connect(port: ChatPort, opts?: { fallback?: boolean }): void;
  /** A display label for an identity: the member's name with the identity, or the identity alone. */
  label(identity: string): string;
  /** Resolves when every chat message queued so far has been handed to its port. */
  chatFlushed(): Promise<void>;
  /** Resolves when no job runs or waits and every chat message has been sent. */
  idle(): Promise<void>;
}
