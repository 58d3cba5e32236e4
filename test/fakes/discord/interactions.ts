/** Dispatches interactions as a Discord client would (typed options checked against the registered command) and reads their answers. */
import type { FakeGateway } from "./gateway.ts";
import { interactionObject, messageObject, snowflake, type FakeUser, type StoredMessage } from "./payloads.ts";
import type { FakeState, InteractionRecord } from "./state.ts";

export type Answer =
  | { kind: "message"; ephemeral: boolean; deferred: boolean; message: StoredMessage }
  | { kind: "choices"; choices: { name: string; value: string | number }[] };

export interface Where {
  id: string;
  dm?: boolean;
  /** For a thread: its parent channel. */
  parent?: string;
}

interface RegisteredOption {
  name: string;
  type: number;
  required?: boolean;
  choices?: { value: string | number }[];
  min_value?: number;
  max_value?: number;
  autocomplete?: boolean;
  options?: RegisteredOption[];
}

/** What a user does in the Discord client: commands, typing into an option, pressing buttons. */
export class Interactions {
  constructor(private readonly s: FakeState, private readonly gateway: FakeGateway, private readonly guildId: string) {}

  /** Runs `/cluster <sub>` with typed options; throws when the Discord client itself would refuse them. */
  slash(user: FakeUser, where: Where, sub: string, options: Record<string, string | number> = {}): string {
    const data = this.commandData(sub, options);
    return this.dispatch(user, where, 2, data);
  }

  /** Types into option `focused` of `/cluster <sub>`; the answer is the bot's choices. */
  autocomplete(user: FakeUser, where: Where, sub: string, options: Record<string, string | number>, focused: string): string {
    const data = this.commandData(sub, options, focused);
    return this.dispatch(user, where, 4, data);
  }

  /** Presses the button with `customId` on a message the bot sent. */
  press(user: FakeUser, message: StoredMessage, customId: string): string {
    const found = JSON.stringify(message.components).includes(JSON.stringify(customId));
    if (!found) throw new Error(`message ${message.id} has no button ${customId}`);
    const ch = this.s.channels.get(message.channel_id)!;
    return this.dispatch(user, { id: ch.id, dm: ch.kind === "dm", parent: ch.parent }, 3, { custom_id: customId, component_type: 2 }, { message: messageObject(message) });
  }

  /** Sends an interaction already dispatched again, with the same id (a duplicate delivery). */
  redispatch(id: string): void {
    const i = this.s.interactions.get(id)!;
    this.gateway.dispatch("INTERACTION_CREATE", i.payload);
  }

  /** The interaction's record (callbacks, original response, follow-ups). */
  record(id: string): InteractionRecord {
    return this.s.interactions.get(id)!;
  }

  /** Resolves with what the user finally sees: choices, the reply, or a deferred reply once it is filled in. */
  answer(id: string): Promise<Answer> {
    return this.s.waitFor((): Answer | undefined => {
      const i = this.s.interactions.get(id);
      const first = i?.callbacks[0];
      if (!i || !first) return undefined;
      if (first.type === 8) return { kind: "choices", choices: (first.data?.choices as { name: string; value: string }[]) ?? [] };
      if (i.original && !i.original.deferred) return { kind: "message", ephemeral: i.original.ephemeral, deferred: first.type === 5, message: i.original };
      return undefined;
    });
  }

  private dispatch(user: FakeUser, where: Where, type: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    const id = snowflake();
    const token = `itoken-${id}-${Math.random().toString(36).slice(2)}`;
    const payload = interactionObject({ id, token, applicationId: this.s.applicationId, guildId: this.guildId, user, channel: { id: where.id, dm: where.dm ?? false, parent: where.parent } }, type, data, extra);
    this.s.interactions.set(id, { id, token, payload, dispatchedAt: Date.now(), sentAt: performance.now(), callbacks: [], followups: [] });
    this.gateway.dispatch("INTERACTION_CREATE", payload);
    return id;
  }

  private commandData(sub: string, options: Record<string, string | number>, focused?: string): Record<string, unknown> {
    const cmd = this.s.commands?.find((c) => c.name === "cluster") as (RegisteredOption & { id: string }) | undefined;
    if (!cmd) throw new Error("/cluster is not registered");
    const subSpec = cmd.options?.find((o) => o.type === 1 && o.name === sub);
    if (!subSpec) throw new Error(`/cluster has no subcommand ${sub}`);
    const given = Object.entries(options).map(([name, value]) => {
      const spec = subSpec.options?.find((o) => o.name === name);
      if (!spec) throw new Error(`/cluster ${sub} has no option ${name}`);
      if (name !== focused) checkValue(sub, spec, value);
      return { name, type: spec.type, value, ...(name === focused ? { focused: true } : {}) };
    });
    if (focused && !given.some((g) => g.name === focused)) throw new Error(`focused option ${focused} must be given`);
    const missing = (subSpec.options ?? []).find((o) => o.required && !(o.name in options));
    if (missing && !focused) throw new Error(`/cluster ${sub} needs ${missing.name}`);
    return { id: cmd.id, name: "cluster", type: 1, guild_id: this.guildId, options: [{ type: 1, name: sub, options: given }] };
  }
}

/** What the Discord client checks before sending: types, choices and integer ranges. */
function checkValue(sub: string, spec: RegisteredOption, value: string | number): void {
  const fail = (why: string) => { throw new Error(`/cluster ${sub} ${spec.name}: ${why}`); };
  if (spec.type === 4 && (typeof value !== "number" || !Number.isInteger(value))) fail("expected an integer");
  if (spec.type === 3 && typeof value !== "string") fail("expected a string");
  if (spec.choices && !spec.choices.some((c) => c.value === value)) fail(`${value} is not a choice`);
  if (typeof value === "number" && ((spec.min_value !== undefined && value < spec.min_value) || (spec.max_value !== undefined && value > spec.max_value))) fail("out of range");
}
