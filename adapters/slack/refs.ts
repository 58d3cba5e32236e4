/** Slack message references as the core stores them: `slack:<channel>:<ts>`. */

const REF = /^slack:([A-Z0-9]{2,20}):([0-9]{6,12}\.[0-9]{1,8}|file:[A-Z0-9]+)$/;

/** Builds a message ref. */
export function messageRef(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

/** Splits a message ref; undefined for anything that is not one of ours. */
export function parseRef(ref: string): { channel: string; ts: string } | undefined {
  const m = REF.exec(ref);
  return m ? { channel: m[1]!, ts: m[2]! } : undefined;
}

/** The Slack id inside `slack:<id>` (a channel or a user); undefined when the prefix or shape is wrong. */
export function slackId(value: string): string | undefined {
  const m = /^slack:([A-Z0-9]{2,20})$/.exec(value);
  return m?.[1];
}
