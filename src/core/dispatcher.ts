/** The core's inbound port: parse → identify → authorize → run → Reply. Never throws at an adapter. */
import { randomBytes } from "node:crypto";
import type { App } from "../clusters/app.ts";
import type { ActionInput, AutocompleteInput, CommandInput, CorePort, CreateForm, Suggestion } from "../kernel/ports.ts";
import type { Reply } from "../kernel/cards.ts";
import type { Outcome } from "../kernel/outcome.ts";
import { parseCommand } from "../commands/parse.ts";
import { HANDLERS } from "../commands/registry.ts";
import { runAction } from "../commands/actions.ts";
import { isRegistered } from "../tenants/rbac.ts";
import type { Principal } from "../tenants/directory.ts";
import { IDENTITY_RE } from "../config/schema.ts";
import { suggest } from "../commands/views/autocomplete.ts";
import type { Card } from "../kernel/cards.ts";
import { homeCards } from "../commands/views/home.ts";
import { createForm } from "../commands/views/create-form.ts";
import { capitalizeSentence, wordsOf } from "./capitalize.ts";
import { getCluster } from "../clusters/repo.ts";

const DELIVERY_ID_RE = /^[A-Za-z0-9:._-]{1,128}$/;

/** The platform a command came from, for the audit log: the prefix of its channel ref (`web` for the web page). */
function sourceOf(channel: string): string {
  return /^([a-z]{1,16})(?::|$)/.exec(channel)?.[1] ?? "unknown";
}

export class Dispatcher implements CorePort {
  private readonly inflight = new Map<string, Promise<Reply>>();

  constructor(private readonly app: App) {}

  /** Handles a slash command's text; a repeated `deliveryId` returns the first reply and does nothing new. */
  handleCommand(input: CommandInput): Promise<Reply> {
    return this.once(input.deliveryId, async (): Promise<Reply> => {
      const { app } = this;
      const parsed = parseCommand(input.text, { sizes: Object.keys(app.config.sizes) });
      if (parsed.kind === "usage") {
        app.metrics.commands.inc({ command: parsed.command ?? "unknown", outcome: "failure" });
        return { visibility: "private", code: "usage", card: { title: "That command needs a fix", text: parsed.error, code: `Usage: ${parsed.usage}`, tone: "error" } };
      }
      return this.run(parsed.name, input.actor.identity, sourceOf(input.where.channel),
        (p) => HANDLERS[parsed.name]!({ app, actor: input.actor, where: input.where, principal: p, cmd: parsed }), parsed.name === "help", async () => wordsOf(input.text));
    });
  }

  /** Handles a button press; a repeated `deliveryId` (double click, redelivery) is a no-op. */
  handleAction(input: ActionInput): Promise<Reply> {
    return this.once(input.deliveryId, () =>
      this.run(`button:${input.action}`, input.actor.identity, sourceOf(input.where.channel), (p) => runAction(this.app, p, input.action, input.value), false,
        // A button carries an id; a refusal may start with the name of the cluster it points at.
        async () => [(await getCluster(this.app.db.k, input.value))?.name].filter((n): n is string => n !== undefined)));
  }

  /** Cards for the caller's home view. */
  home(identity: string): Promise<Card[]> {
    if (!IDENTITY_RE.test(identity)) return Promise.resolve([]);
    return homeCards(this.app, identity);
  }

  /** Choices for the caller's create form. */
  createForm(identity: string, channel: string): Promise<CreateForm> {
    if (!IDENTITY_RE.test(identity)) return Promise.resolve({ tenants: [], sizes: [] });
    return createForm(this.app, identity, channel);
  }

  /** Suggestions for an option being typed, filtered by what the caller may see; empty on any problem. */
  async autocomplete(input: AutocompleteInput): Promise<Suggestion[]> {
    if (!IDENTITY_RE.test(input.actor.identity)) return [];
    try {
      return await suggest(this.app, await this.app.directory.principal(input.actor.identity), input);
    } catch (err) {
      this.app.log.error({ err, kind: input.kind }, "autocomplete failed");
      return [];
    }
  }

  private async run(command: string, identity: string, source: string, handler: (p: Principal) => Promise<Outcome>, open: boolean, names: () => Promise<string[]>): Promise<Reply> {
    const { app } = this;
    if (!IDENTITY_RE.test(identity)) return this.refusal(command, { ok: false, code: "identity.invalid", message: "your chat identity could not be read" }, []);
    try {
      // The source rides on the principal, so every audit entry the command writes, however deep, says where it came from.
      const principal: Principal = { ...await app.directory.principal(identity), source };
      if (!open && !isRegistered(principal)) {
        return this.refusal(command, { ok: false, code: "rbac.unregistered", message: `you are not in any tenant. Your identity is ${identity}; ask your instructor to add you to their course.` }, []);
      }
      const outcome = await handler(principal);
      if (!outcome.ok) return this.refusal(command, outcome, [...Object.keys(app.config.tenants), ...await names()]);
      app.metrics.commands.inc({ command, outcome: "ok" });
      return outcome.reply;
    } catch (err) {
      const ref = randomBytes(4).toString("hex");
      app.log.error({ err, command, identity, ref }, "command failed");
      app.metrics.commands.inc({ command, outcome: "error" });
      return { visibility: "private", code: "internal", card: { title: "Something went wrong on our side", text: `Nothing was lost; try again in a minute. If it keeps happening, tell your admin the reference ${ref}.`, tone: "error" } };
    }
  }

  private refusal(command: string, o: Extract<Outcome, { ok: false }>, names: readonly string[]): Reply {
    this.app.metrics.commands.inc({ command, outcome: "failure" });
    return { visibility: "private", code: o.code, card: { title: "Can't do that", text: capitalizeSentence(o.message, names), code: o.usage ? `Usage: ${o.usage}` : undefined, tone: "error" } };
  }

  /** Runs `work` once per delivery id: concurrent repeats share the first run, later repeats get the stored reply. */
  private once(deliveryId: string | undefined, work: () => Promise<Reply>): Promise<Reply> {
    if (!deliveryId || !DELIVERY_ID_RE.test(deliveryId)) return work();
    const running = this.inflight.get(deliveryId);
    if (running) return running;
    const p = (async () => {
      const seen = await this.app.db.k.selectFrom("deliveries").select("reply").where("id", "=", deliveryId).executeTakeFirst();
      if (seen) return JSON.parse(seen.reply) as Reply;
      const reply = await work();
      await this.app.db.k.insertInto("deliveries").values({ id: deliveryId, at: this.app.clock.now(), reply: JSON.stringify(reply) })
        .onConflict((oc) => oc.column("id").doNothing()).execute();
      return reply;
    })().finally(() => this.inflight.delete(deliveryId));
    this.inflight.set(deliveryId, p);
    return p;
  }
}
