/** Translates Discord interactions (slash commands, autocomplete, buttons) into core calls. */
import type { AutocompleteInteraction, ButtonInteraction, ChatInputCommandInteraction, Interaction } from "discord.js";
import { decodeButton } from "../../src/kernel/cards.ts";
import type { InboundPort, InboxEntry } from "../../src/kernel/ports.ts";
import { TOKEN_LIFE_MS } from "./open-interactions.ts";
import { GRAMMAR, usageOf, type CommandSpec } from "../../src/commands/grammar.ts";
import { AUTOCOMPLETE_KINDS, COMMAND_NAME, sourcesOf } from "./command-options.ts";
import { commandText } from "./command-text.ts";
import { answer, answerPrivately, type AnswerContext } from "./respond.ts";
import { channelRefOf, identityOf } from "./refs.ts";
import { sanitize } from "./rest-errors.ts";
import { cut } from "./render.ts";

/** An inbox entry without what acceptAndAnswer adds (id and response channel). */
type EntryBody = InboxEntry extends infer E ? E extends InboxEntry ? Omit<E, "id" | "respondRef" | "respondUntil"> : never : never;

export interface HandlerContext extends AnswerContext {
  core: InboundPort;
}

/** Routes one interaction; never throws (an event handler that throws would only be logged by discord.js). */
export async function handleInteraction(ctx: HandlerContext, i: Interaction): Promise<void> {
  try {
    if (i.isChatInputCommand() && i.commandName === COMMAND_NAME) await command(ctx, i);
    else if (i.isAutocomplete() && i.commandName === COMMAND_NAME) await autocomplete(ctx, i);
    else if (i.isButton()) await button(ctx, i);
  } catch (err) {
    ctx.log.error({ err: sanitize(err, "interaction") }, "Discord interaction handler failed");
  }
}

function actorOf(i: Interaction): { identity: string; displayName: string } {
  return { identity: identityOf(i.user.id), displayName: i.user.globalName ?? i.user.username };
}

/** Where the user typed: a thread counts as its parent channel, so commands in a progress thread find the course's tenant. */
function whereOf(i: Interaction): { channel: string } {
  const ch = i.channel;
  const id = ch?.isThread() && ch.parentId ? ch.parentId : i.channelId ?? "0";
  return { channel: channelRefOf(id) };
}

function specOf(i: ChatInputCommandInteraction | AutocompleteInteraction): CommandSpec | undefined {
  const sub = i.options.getSubcommand(false);
  return GRAMMAR.find((c) => c.name === sub);
}

async function command(ctx: HandlerContext, i: ChatInputCommandInteraction): Promise<void> {
  const spec = specOf(i);
  if (!spec) {
    await answerPrivately(ctx, i, { title: "Unknown command", text: "That subcommand is no longer part of /cluster; try /cluster help.", tone: "error" });
    return;
  }
  const given = i.options.data[0]?.options ?? [];
  const text = commandText(spec, given.map((o) => ({ name: o.name, value: o.value })));
  if (!text.ok) {
    await answerPrivately(ctx, i, { title: "That command needs a fix", text: text.error, code: `Usage: ${usageOf(spec, Object.keys(ctx.core.config.sizes))}`, tone: "error" });
    return;
  }
  const actor = actorOf(i);
  const where = whereOf(i);
  await acceptAndAnswer(ctx, i, { actor, where }, { kind: "command", input: { actor, where, text: text.text, deliveryId: `discord:${i.id}` } });
}

/**
 * Stores the interaction in the core's inbox before its first response (the deferral is Discord's
 * acknowledgement), then runs it and answers. A duplicate INTERACTION_CREATE is ignored: the first one answers.
 * Until the deferral is out the interaction counts as waiting for its acknowledgement, which holds core work back.
 */
async function acceptAndAnswer(ctx: HandlerContext, i: ChatInputCommandInteraction | ButtonInteraction, who: { actor: { identity: string }; where: { channel: string } },
  entry: EntryBody): Promise<void> {
  const id = `discord:${i.id}`;
  ctx.core.acks.enter();
  let waiting = true;
  const acknowledged = () => { if (waiting) { waiting = false; ctx.core.acks.leave(); } };
  try {
    const fresh = await ctx.core.accept({ ...entry, id, respondRef: `discord:respond:${i.applicationId}:${i.token}`, respondUntil: i.createdTimestamp + TOKEN_LIFE_MS });
    if (!fresh) return;
    await answer(ctx, i, { identity: who.actor.identity, channel: who.where.channel }, (show) => ctx.core.run(id, show), acknowledged);
  } finally {
    acknowledged();
  }
}

async function autocomplete(ctx: HandlerContext, i: AutocompleteInteraction): Promise<void> {
  const spec = specOf(i);
  const focused = i.options.getFocused(true);
  const source = spec && sourcesOf(spec).find((s) => s.name === focused.name);
  const kind = source && AUTOCOMPLETE_KINDS[source.kind];
  let choices: { name: string; value: string }[] = [];
  if (kind) {
    const tenant = spec.options.some((o) => o.key === "tenant") ? i.options.getString("tenant", false) ?? undefined : undefined;
    const found = await ctx.core.autocomplete({
      actor: actorOf(i), where: whereOf(i), kind, prefix: String(focused.value ?? ""),
      tenant: tenant && focused.name !== "tenant" ? tenant : undefined,
    });
    // Discord: at most 25 choices, names and values of 1–100 characters.
    choices = found.slice(0, 25).filter((s) => s.value.length >= 1 && s.value.length <= 100).map((s) => ({ name: cut(s.label, 100), value: s.value }));
  }
  try {
    await i.respond(choices);
  } catch (err) {
    ctx.log.warn({ err: sanitize(err, "autocomplete") }, "could not answer autocomplete");
  }
}

async function button(ctx: HandlerContext, i: ButtonInteraction): Promise<void> {
  const decoded = decodeButton(i.customId);
  if (!decoded) {
    await answerPrivately(ctx, i, { title: "This button does nothing", text: "It belongs to an older version of the bot; run the command again.", tone: "warning" });
    return;
  }
  const actor = actorOf(i);
  const where = whereOf(i);
  await acceptAndAnswer(ctx, i, { actor, where }, { kind: "action", input: { actor, where, action: decoded.action, value: decoded.value, deliveryId: `discord:${i.id}` } });
}
