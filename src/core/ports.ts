/** The seams between the core and the chat adapters. */
import type { Attachment, Card, Reply, ActionName } from "./cards.ts";
import type { CreateForm } from "./create-form.ts";

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
}

/** The inbound port adapters call. */
export interface CorePort {
  handleCommand(input: CommandInput): Promise<Reply>;
  handleAction(input: ActionInput): Promise<Reply>;
  /** Cards for a home view (Slack's App Home): the caller's clusters and the requests they may decide. */
  home(identity: string): Promise<Card[]>;
  /** Choices for a create form (Slack's modal). */
  createForm(identity: string, channel: string): Promise<CreateForm>;
}
