/** Validators for every value a user can type, each with an error that names the rule. */
import { z } from "zod";
import { TENANT_ID_RE, IDENTITY_RE, ROLES } from "../config/schema.ts";
import type { RequestRef } from "../clusters/approvals/decide.ts";

export const CLUSTER_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const CLUSTER_NAME_RULE = 'a lowercase DNS label of 3–24 characters: a–z, 0–9 and "-", starting with a letter and not ending with "-" (e.g. lab3)';

export const clusterName = z.string().min(3).max(24).regex(CLUSTER_NAME_RE);
export const tenantId = z.string().regex(TENANT_ID_RE);
export const identity = z.string().regex(IDENTITY_RE);
export const role = z.enum(ROLES);

/** Someone named in a command: an identity as typed, or the user id inside a chat mention. */
export type PersonRef = { identity: string } | { mention: string };

// Slack escapes user mentions as <@U0ADA> or <@U0ADA|ada>; Discord writes <@123> or <@!123> (nickname form).
const MENTION_RE = /^<@!?([A-Za-z0-9._-]{1,64})(?:\|[^<>|]{0,80})?>$/;

/** Parses `slack:U0ADA`, `<@U0ADA>`, `<@U0ADA|ada>`, `<@123>` or `<@!123>`; undefined for anything else. */
export function parsePersonRef(text: string): PersonRef | undefined {
  if (identity.safeParse(text).success) return { identity: text };
  const m = MENTION_RE.exec(text);
  return m ? { mention: m[1]! } : undefined;
}

/** Turns a person reference into an identity; a mention belongs to the platform the caller writes from. */
export function resolvePerson(text: string, callerIdentity: string): string | undefined {
  const ref = parsePersonRef(text);
  if (!ref) return undefined;
  if ("identity" in ref) return ref.identity;
  const platform = callerIdentity.slice(0, callerIdentity.indexOf(":"));
  const resolved = `${platform}:${ref.mention}`;
  return identity.safeParse(resolved).success ? resolved : undefined;
}


/** Parses a request reference; undefined when it is neither an id nor a valid cluster name. */
export function parseRequestRef(text: string): RequestRef | undefined {
  const id = /^#?([1-9][0-9]{0,9})$/.exec(text);
  if (id) return { id: Number(id[1]) };
  return clusterName.safeParse(text).success ? { name: text } : undefined;
}

/** Removes control characters and trims free text (reasons), keeping it to `max` characters. */
export function cleanText(text: string, max = 300): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim().slice(0, max);
}
