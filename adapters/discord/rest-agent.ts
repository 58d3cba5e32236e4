/**
 * The Discord REST client's own HTTP dispatcher, from the very undici that `@discordjs/rest` sends its requests with.
 *
 * Why: undici keeps one process-wide dispatcher, and whichever undici loads first installs it. `@slack/bolt` brings
 * undici 7 (via `@slack/socket-mode`) and loads first; `@discordjs/rest` brings undici 6 and, given no agent, hands
 * its requests to that global undici-7 dispatcher. Plain JSON bodies survive the mix, but a file upload does not:
 * undici 7 only encodes its own `FormData` class, so every message with an attachment failed with
 * "TypeError: action is not a function". An agent from the REST client's own undici keeps request, body encoding and
 * connection pool in one version, whatever else the process loads, and in whatever order.
 */
import { createRequire } from "node:module";
import type { RESTOptions } from "discord.js";

/** The dispatcher type `@discordjs/rest` accepts (its undici's, not the top-level one's). */
export type RestAgent = NonNullable<RESTOptions["agent"]> & { close(): Promise<void> };

type AgentClass = new () => RestAgent;

/** Loads `undici` the way `@discordjs/rest` resolves it: from its own folder, so a hoisted newer copy is never picked. */
function restUndici(): { Agent: AgentClass } {
  const fromHere = createRequire(import.meta.url);
  const fromDiscordJs = createRequire(fromHere.resolve("discord.js"));
  const fromRest = createRequire(fromDiscordJs.resolve("@discordjs/rest"));
  return fromRest("undici") as { Agent: AgentClass };
}

/** A new HTTP agent for one Discord REST client; close it when the client stops. */
export function createRestAgent(): RestAgent {
  const { Agent } = restUndici();
  return new Agent();
}
