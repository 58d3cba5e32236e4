/** Bolt listeners: translate slash commands, button presses, modal submissions and App Home opens into core calls. */
import type { App, BlockAction, ButtonAction, RespondFn, SlashCommand, ViewSubmitAction } from "@slack/bolt";
import type { InboundPort } from "../../src/kernel/ports.ts";
import type { Reply } from "../../src/kernel/cards.ts";
import { decodeButton } from "../../src/kernel/cards.ts";
import type { Logger } from "../../src/log.ts";
import type { SlackLimiter } from "./limiter.ts";
import type { SlackPort } from "./port.ts";
import { escapeMrkdwn, truncate } from "./render.ts";
import { CREATE_CALLBACK, createModal, fieldOfError, submissionText } from "./modal.ts";
import { homeView } from "./home.ts";
import { REPLACE, RESPOND, answerBody } from "./port.ts";

/** How long Slack accepts posts to a response_url. */
const RESPONSE_URL_LIFE_MS = 30 * 60_000;

export interface HandlerDeps {
  core: InboundPort;
  port: SlackPort;
  limiter: SlackLimiter;
  log: Logger;
}

/**
 * Sends a core reply through response_url. A command's reply replaces the "working on it" its acknowledgement
 * showed, so an answer sent again after a crash replaces the first one instead of showing twice; a press's reply is
 * a new message (the original is the card with the button).
 */
async function answer(respond: RespondFn, reply: Reply, replace: boolean): Promise<void> {
  await respond(answerBody(reply, replace));
}

/** What the acknowledgement of a command shows at once: which command is being worked on. */
function workingOn(text: string): { response_type: "ephemeral"; text: string } {
  return { response_type: "ephemeral", text: `Working on \`/cluster ${truncate(escapeMrkdwn(text.trim()), 200)}\` …` };
}

/** Registers every listener on the Bolt app. Each acknowledges first, then does the work. */
export function registerHandlers(app: App, deps: HandlerDeps): void {
  const { core, port, limiter, log } = deps;

  app.command("/cluster", async ({ command, ack, respond }) => {
    const identity = `slack:${command.user_id}`;
    const channel = `slack:${command.channel_id}`;
    if (/^\s*(create)?\s*$/i.test(command.text)) {
      // Nothing is accepted yet, so nothing to store: the form's submission is the command.
      await ack();
      return openModal(command, identity, channel);
    }
    // Stored before the ack: once Slack shows the command as accepted, a crash cannot lose it.
    const id = `slack:cmd:${command.trigger_id}`;
    const fresh = await core.accept({
      id, kind: "command", input: { actor: { identity, displayName: command.user_name }, where: { channel }, text: command.text, deliveryId: id },
      respondRef: `${REPLACE}${command.response_url}`, respondUntil: Date.now() + RESPONSE_URL_LIFE_MS,
    });
    await ack(workingOn(command.text));
    if (!fresh) return; // a redelivery: the first delivery answers
    await core.run(id, (reply) => answer(respond, reply, true));
  });

  async function openModal(command: SlashCommand, identity: string, channel: string): Promise<void> {
    const form = await core.createForm(identity, channel);
    if (form.tenants.length === 0) {
      return port.ephemeral(channel, identity, {
        title: "Can't do that",
        text: `You may not create clusters in any tenant. Your identity is ${identity}; ask your instructor to add you as a student.`,
        tone: "error",
      });
    }
    // A trigger_id lives 3 seconds: the form goes out ahead of everything the limiter holds back (views.open is Tier 4).
    try {
      await limiter.now("views.open", { trigger_id: command.trigger_id, view: createModal(form, channel) });
    } catch (err) {
      log.warn({ err }, "could not open the create form; offering the text command");
      await port.ephemeral(channel, identity, {
        title: "The create form could not open", tone: "warning",
        text: "Type the command instead, for example: /cluster create lab3 workers=2 size=small ttl=7d (see /cluster help create).",
      });
    }
  }

  app.action<BlockAction<ButtonAction>>(/^lf:/, async ({ action, ack, body, respond }) => {
    const button = decodeButton(action.action_id);
    if (!button) { await ack(); return; }
    const identity = `slack:${body.user.id}`;
    const channel = body.channel?.id ? `slack:${body.channel.id}` : `slack:${body.user.id}`;
    const id = `slack:act:${body.trigger_id}:${action.action_id}`;
    const fresh = await core.accept({
      id, kind: "action", input: { actor: { identity }, where: { channel }, action: button.action, value: button.value, deliveryId: id },
      ...(body.response_url ? { respondRef: `${RESPOND}${body.response_url}`, respondUntil: Date.now() + RESPONSE_URL_LIFE_MS } : {}),
    });
    await ack();
    if (!fresh) return;
    await core.run(id, async (reply) => {
      // Presses on the App Home have no response_url: answer by DM and refresh the tab.
      if (body.response_url) await answer(respond, reply, false);
      else {
        await port.dm(identity, reply.card);
        await publishHome(body.user.id);
      }
    });
  });

  app.view<ViewSubmitAction>(CREATE_CALLBACK, async ({ ack, body, view }) => {
    const parsed = submissionText(view.state.values as never);
    if ("errors" in parsed) { await ack({ response_action: "errors", errors: parsed.errors as Record<string, string> }); return; }
    const identity = `slack:${body.user.id}`;
    const channel = safeChannel(view.private_metadata) ?? `slack:${body.user.id}`;
    // No delivery id: a view keeps its id and hash across a resubmission after a field error, and the form is
    // acknowledged only after the core answered, so Slack has nothing to redeliver.
    const reply = await core.handleCommand({ actor: { identity }, where: { channel }, text: parsed.text });
    if (reply.code) {
      await ack({ response_action: "errors", errors: { [fieldOfError(reply.card.text ?? "")]: (reply.card.text ?? reply.card.title).slice(0, 150) } });
      return;
    }
    await ack();
    await port.ephemeral(channel, identity, reply.card).catch((err: unknown) => log.warn({ err }, "could not show the create reply"));
  });

  app.event("app_home_opened", async ({ event }) => {
    if (event.tab === "home") await publishHome(event.user);
  });

  async function publishHome(user: string): Promise<void> {
    const cards = await core.home(`slack:${user}`);
    await limiter.call("views.publish", { user_id: user, view: homeView(cards) });
  }

  app.error(async (err) => { log.error({ err }, "slack listener failed"); });
}

function safeChannel(metadata: string): string | undefined {
  try {
    const channel = (JSON.parse(metadata) as { channel?: unknown }).channel;
    return typeof channel === "string" && /^slack:[A-Z0-9]{2,20}$/.test(channel) ? channel : undefined;
  } catch {
    return undefined;
  }
}
