/**
 * Answers an interaction with the core's Reply inside Discord's rules: a first response within 3 seconds (an
 * ephemeral deferral, sent at once), edits and follow-ups while the 15-minute token lives, and after that a DM
 * (private replies) or a channel message (public ones).
 */
import { MessageFlags, type RepliableInteraction } from "discord.js";
import type { Card, Reply } from "../../src/kernel/cards.ts";
import type { Logger } from "../../src/log.ts";
import type { DiscordPort } from "./discord-port.ts";
import type { OpenInteractions } from "./open-interactions.ts";
import { renderCard } from "./render.ts";
import { discordCode, sanitize, ALREADY_ACKNOWLEDGED } from "./rest-errors.ts";

export interface AnswerContext {
  log: Logger;
  port: DiscordPort;
  open: OpenInteractions;
}

export interface Asker {
  identity: string;
  channel: string;
}

const NO_PINGS = { parse: [] as never[] };

/**
 * Acknowledges the interaction at once with an ephemeral deferral (Discord's first response, due within 3 s; the
 * visibility is not known yet and a private answer must never show in the channel), calls `acknowledged` once that
 * is out, runs `work`, which calls `show` with the core's reply, and fills the reply in; never throws. The private
 * answer edits the deferred message, so an answer sent again after a restart replaces it rather than adding one.
 * `work` resolves after `show` did, so the core records an answer only once it was shown.
 */
export async function answer(ctx: AnswerContext, i: RepliableInteraction, who: Asker, work: (show: (reply: Reply) => Promise<void>) => Promise<unknown>,
  acknowledged: () => void): Promise<void> {
  const receivedAt = Date.now();
  ctx.open.track(who.channel, who.identity, i, receivedAt);
  const deferral = i.deferReply({ flags: MessageFlags.Ephemeral }).then(() => true, (err: unknown) => failed(ctx, err, "defer")).finally(acknowledged);
  let shown = false;
  const show = async (reply: Reply) => {
    shown = true;
    await showReply(ctx, i, who, reply, receivedAt, deferral);
  };
  try {
    await work(show);
  } catch (err) {
    ctx.log.error({ err: sanitize(err, "core call") }, "the core threw at the Discord adapter");
    if (!shown) await show({ visibility: "private", card: { title: "Something went wrong on our side", text: "Nothing was lost; try again in a minute.", tone: "error" } });
  }
}

async function showReply(ctx: AnswerContext, i: RepliableInteraction, who: Asker, reply: Reply, receivedAt: number, deferral: Promise<boolean>): Promise<void> {
  const message = { ...renderCard(reply.card), allowedMentions: NO_PINGS };
  const isPrivate = reply.visibility === "private";
  try {
    if (!(await deferral)) return;
    if (!ctx.open.alive(receivedAt)) {
      await outsideInteraction(ctx, who, reply.card, isPrivate);
      return;
    }
    if (isPrivate) {
      await i.editReply(message);
    } else {
      // The deferral is ephemeral and the first follow-up would inherit that: resolve it, then post for everyone.
      await i.editReply({ content: "Done: the answer is posted in the channel.", embeds: [], components: [] });
      await i.followUp(message);
    }
  } catch (err) {
    failed(ctx, err, "reply");
  }
}

/** Shows a card to the user alone, at once (for input the adapter itself refuses). */
export async function answerPrivately(ctx: AnswerContext, i: RepliableInteraction, card: Card): Promise<void> {
  try {
    await i.reply({ ...renderCard(card), allowedMentions: NO_PINGS, flags: MessageFlags.Ephemeral });
  } catch (err) {
    failed(ctx, err, "reply");
  }
}

async function outsideInteraction(ctx: AnswerContext, who: Asker, card: Card, isPrivate: boolean): Promise<void> {
  if (isPrivate) await ctx.port.dm(who.identity, card);
  else await ctx.port.post(who.channel, card);
}

function failed(ctx: AnswerContext, err: unknown, what: string): false {
  if (discordCode(err) === ALREADY_ACKNOWLEDGED) {
    // A duplicate INTERACTION_CREATE: the core answered it from its first run; Discord already showed that answer.
    ctx.log.info({ what }, "interaction already acknowledged (duplicate delivery)");
  } else {
    ctx.log.warn({ err: sanitize(err, what) }, "could not answer a Discord interaction");
  }
  return false;
}
