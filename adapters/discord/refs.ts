/**
 * Discord's opaque references: identities `discord:<user id>`, channels `discord:<channel id>` and messages
 * `discord:<channel id>:<message id>` (for a thread reply the channel is the thread, so a ref finds its thread after a restart).
 */

export const PLATFORM = "discord";

const SNOWFLAKE = /^[0-9]{15,21}$/;
const MESSAGE_REF = /^discord:([0-9]{15,21}):([0-9]{15,21})$/;

/** True for a Discord id (a snowflake written in decimal). */
export function isSnowflake(id: string): boolean {
  return SNOWFLAKE.test(id);
}

/** The identity of a Discord user. */
export function identityOf(userId: string): string {
  return `${PLATFORM}:${userId}`;
}

/** The channel reference of a Discord channel. */
export function channelRefOf(channelId: string): string {
  return `${PLATFORM}:${channelId}`;
}

/** The reference of a message in a channel or thread. */
export function messageRefOf(channelId: string, messageId: string): string {
  return `${PLATFORM}:${channelId}:${messageId}`;
}

/** The user id in `discord:<id>`; throws for anything else (the core only passes identities it was given). */
export function userIdOf(identity: string): string {
  return snowflakeAfterPrefix(identity, "identity");
}

/** The channel id in `discord:<id>`; throws for anything else. */
export function channelIdOf(channelRef: string): string {
  return snowflakeAfterPrefix(channelRef, "channel");
}

/** The channel and message ids in `discord:<channel>:<message>`; throws for anything else. */
export function parseMessageRef(ref: string): { channelId: string; messageId: string } {
  const m = MESSAGE_REF.exec(ref);
  if (!m) throw new Error(`not a Discord message ref: ${ref.slice(0, 80)}`);
  return { channelId: m[1]!, messageId: m[2]! };
}

function snowflakeAfterPrefix(ref: string, what: string): string {
  const id = ref.startsWith(`${PLATFORM}:`) ? ref.slice(PLATFORM.length + 1) : "";
  if (!isSnowflake(id)) throw new Error(`not a Discord ${what}: ${ref.slice(0, 80)}`);
  return id;
}
