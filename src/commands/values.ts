/** Validators for every value a user can type, each with an error that names the rule. */
import { z } from "zod";
import { parseDuration, DURATION_HINT } from "../config/duration.ts";
import { TENANT_ID_RE, IDENTITY_RE } from "../config/schema.ts";

export const CLUSTER_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const CLUSTER_NAME_RULE = 'a lowercase DNS label of 3–24 characters: a–z, 0–9 and "-", starting with a letter and not ending with "-" (e.g. lab3)';

export const clusterName = z.string().min(3).max(24).regex(CLUSTER_NAME_RE);
export const tenantId = z.string().regex(TENANT_ID_RE);
export const identity = z.string().regex(IDENTITY_RE);
export const durationMs = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) { ctx.addIssue({ code: "custom", message: DURATION_HINT }); return z.NEVER; }
  return ms;
});

/** A request reference: `12`, `#12`, or a pending cluster's name. */
export type RequestRef = { id: number } | { name: string };

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
