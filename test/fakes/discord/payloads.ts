/** Discord API objects as the real API shapes them (v10), for the fake's REST answers and gateway dispatches. */

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A real-looking snowflake: the current time since Discord's epoch, so discord.js reads a sensible creation time. */
export function snowflake(): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  bot?: boolean;
}

/** A user object. */
export function userObject(u: FakeUser): Record<string, unknown> {
  return { id: u.id, username: u.username, global_name: u.bot ? null : u.username, discriminator: "0", avatar: null, bot: u.bot ?? false, flags: 0, public_flags: 0 };
}

/** A guild member object for `user`. */
export function memberObject(u: FakeUser): Record<string, unknown> {
  return {
    user: userObject(u), nick: null, avatar: null, roles: [], joined_at: new Date().toISOString(), premium_since: null,
    deaf: false, mute: false, flags: 0, pending: false, permissions: "2248473465835073",
  };
}

/** A guild text channel (type 0), a DM (type 1) or a public thread (type 11). */
export function channelObject(id: string, kind: "text" | "dm" | "thread", extra: Record<string, unknown> = {}): Record<string, unknown> {
  const type = kind === "text" ? 0 : kind === "dm" ? 1 : 11;
  return { id, type, last_message_id: null, flags: 0, ...extra };
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  author: FakeUser;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: { id: string; filename: string; size: number; content: string }[];
  flags: number;
  message_reference?: unknown;
  edited: number;
}

/** A message object from a stored message. */
export function messageObject(m: StoredMessage): Record<string, unknown> {
  return {
    id: m.id, channel_id: m.channel_id, author: userObject(m.author), content: m.content, timestamp: new Date().toISOString(),
    edited_timestamp: m.edited ? new Date().toISOString() : null, tts: false, mention_everyone: false, mentions: [], mention_roles: [],
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, size: a.size, url: `http://fake/${a.filename}`, proxy_url: `http://fake/${a.filename}` })),
    embeds: m.embeds, pinned: false, type: 0, components: m.components, flags: m.flags,
  };
}

/** The guild as GUILD_CREATE carries it. */
export function guildObject(id: string, ownerId: string, channels: string[]): Record<string, unknown> {
  return {
    id, name: "Department", icon: null, splash: null, discovery_splash: null, owner_id: ownerId, afk_channel_id: null, afk_timeout: 300,
    verification_level: 0, default_message_notifications: 0, explicit_content_filter: 0, mfa_level: 0, system_channel_id: null,
    system_channel_flags: 0, rules_channel_id: null, vanity_url_code: null, description: null, banner: null, premium_tier: 0,
    preferred_locale: "en-US", public_updates_channel_id: null, nsfw_level: 0, premium_progress_bar_enabled: false,
    roles: [{ id, name: "@everyone", permissions: "2248473465835073", position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [], stickers: [], features: [], members: [], presences: [], voice_states: [], threads: [], stage_instances: [],
    guild_scheduled_events: [], soundboard_sounds: [], member_count: 1, large: false, unavailable: false, joined_at: new Date().toISOString(),
    channels: channels.map((c, i) => channelObject(c, "text", { guild_id: id, name: `channel-${i}`, position: i, permission_overwrites: [], parent_id: null, nsfw: false, topic: null, rate_limit_per_user: 0 })),
  };
}

export interface InteractionBase {
  id: string;
  token: string;
  applicationId: string;
  guildId: string;
  user: FakeUser;
  /** A guild text channel, a thread (with its parent), or a DM channel (then `guildId` is not sent and `user` replaces `member`). */
  channel: { id: string; dm: boolean; parent?: string };
}

/** The fields every INTERACTION_CREATE needs (discord.js throws without `entitlements`). */
export function interactionObject(b: InteractionBase, type: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const where = b.channel.dm
    ? { user: userObject(b.user), channel: channelObject(b.channel.id, "dm", { recipients: [userObject(b.user)] }), context: 1, authorizing_integration_owners: { "0": b.guildId } }
    : { guild_id: b.guildId, guild: { id: b.guildId, locale: "en-US", features: [] }, member: memberObject(b.user), guild_locale: "en-US",
      channel: channelObject(b.channel.id, b.channel.parent ? "thread" : "text", { guild_id: b.guildId, name: "course", permissions: "2248473465835073", ...(b.channel.parent ? { parent_id: b.channel.parent } : {}) }), context: 0,
      authorizing_integration_owners: { "0": b.guildId } };
  return {
    id: b.id, application_id: b.applicationId, type, token: b.token, version: 1, data, channel_id: b.channel.id,
    app_permissions: "2248473465835073", locale: "en-US", entitlements: [], attachment_size_limit: 10_485_760, ...where, ...extra,
  };
}
