/** The console adapter: an interactive (or scripted) chat in the terminal against the core. */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { InboundPort } from "../../src/kernel/ports.ts";
import { IDENTITY_RE } from "../../src/config/schema.ts";
import { ConsolePort } from "./console-port.ts";

export interface ConsoleOptions {
  core: InboundPort;
  input: Readable;
  output: Writable;
  interactive: boolean;
}

const HELP = [
  "Type /cluster <command> (or just the command, e.g. `create lab3`). Console commands:",
  "  /as <identity>   act as someone else (console:bob, or just bob; slack:U0ADA works too)",
  "  /in <channel>    type in another channel (#cs401, or slack:C0CS401)",
  "  /press <n|label> press a button shown as [n]",
  "  /wait            wait until the queue is idle",
  "  /who             who you are and where",
  "  /quit            leave",
].join("\n");

/** Registers the console port with the core and returns the chat loop. */
export class ConsoleChat {
  readonly port: ConsolePort;
  private identity: string;
  private channel: string;

  constructor(private readonly opts: ConsoleOptions) {
    this.port = new ConsolePort(opts.output);
    opts.core.connect(this.port, { fallback: true });
    const config = opts.core.config;
    this.identity = config.members[0]?.identities[0] ?? config.admins[0] ?? "console:guest";
    const channels = Object.values(config.tenants).flatMap((t) => t.channels);
    this.channel = channels.find((c) => c.startsWith("console:")) ?? channels[0] ?? "console:#general";
  }

  /** Runs until input ends (scripted: then waits for the queue to go idle) or /quit. */
  async run(): Promise<void> {
    const { interactive, output } = this.opts;
    const rl = createInterface({ input: this.opts.input, output: interactive ? output : undefined, terminal: interactive });
    this.port.write(`labforge console — ${this.who()}. Type /help for console commands, /cluster help for the bot.`);
    if (interactive) { rl.setPrompt(this.prompt()); rl.prompt(); }
    for await (const line of rl) {
      const quit = await this.handle(line.trim());
      if (quit) break;
      if (interactive) { rl.setPrompt(this.prompt()); rl.prompt(); }
    }
    rl.close();
    await this.opts.core.idle();
  }

  /** Handles one line; returns true to quit. */
  async handle(line: string): Promise<boolean> {
    const { core } = this.opts;
    if (!line || line.startsWith("#")) return false;
    const [word, ...rest] = line.split(/\s+/);
    const arg = rest.join(" ");
    switch (word) {
      case "/quit": case "/exit": return true;
      case "/help": this.port.write(HELP); return false;
      case "/who": this.port.write(this.who()); return false;
      case "/wait": await core.idle(); return false;
      case "/as": {
        const id = arg.includes(":") ? arg : `console:${arg}`;
        if (!IDENTITY_RE.test(id)) this.port.write(`✗ "${arg}" is not an identity; try /as bob or /as slack:U0ADA`);
        else { this.identity = id; this.port.write(this.who()); }
        return false;
      }
      case "/in": {
        const ch = arg.includes(":") ? arg : `console:${arg.startsWith("#") ? arg : `#${arg}`}`;
        this.channel = ch;
        this.port.write(this.who());
        return false;
      }
      case "/press": await this.press(arg); break;
      default: {
        if (word?.startsWith("/") && word !== "/cluster") { this.port.write(`✗ unknown console command ${word}; /help lists them`); return false; }
        const text = word === "/cluster" ? arg : line;
        const reply = await core.handleCommand({ actor: { identity: this.identity }, where: { channel: this.channel }, text, deliveryId: `console:${randomUUID()}` });
        this.port.reply(this.identity, this.channel, reply.card, reply.visibility === "private");
      }
    }
    await core.chatFlushed();
    return false;
  }

  private async press(which: string): Promise<void> {
    const button = this.port.findButton(which);
    if (!button) { this.port.write(`✗ there is no button ${which}`); return; }
    if (button.visibleTo && button.visibleTo !== this.identity) {
      this.port.write(`✗ button ${which} was shown to ${button.visibleTo}, not to you`);
      return;
    }
    const reply = await this.opts.core.handleAction({
      actor: { identity: this.identity }, where: { channel: this.channel }, action: button.action, value: button.value,
      deliveryId: `console:${randomUUID()}`,
    });
    this.port.reply(this.identity, this.channel, reply.card, reply.visibility === "private");
  }

  private who(): string {
    const name = this.opts.core.label(this.identity);
    return `you are ${name} in ${this.channel.replace(/^console:/, "")}`;
  }

  private prompt(): string {
    return `${this.identity.replace(/^console:/, "")}@${this.channel.replace(/^console:/, "")}> `;
  }
}
