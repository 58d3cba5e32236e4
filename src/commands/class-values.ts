/** The values a class session command takes: its name and the roster of `for=`. */
import { z } from "zod";
import { CLUSTER_NAME_RE, parsePersonRef, cleanText } from "./values.ts";
import { MAX_SESSION_CLUSTERS } from "../clusters/class-session.ts";

export const SESSION_NAME_RULE = 'a lowercase DNS label of 3–20 characters: a–z, 0–9 and "-", starting with a letter and not ending with "-" (e.g. lab5)';
export const sessionName = z.string().min(3).max(20).regex(CLUSTER_NAME_RE);

/** Checks `for=`: `students`, or up to MAX_SESSION_CLUSTERS identities or mentions separated by commas. */
export function checkRoster(key: string, raw: string): string | { error: string } {
  if (raw.toLowerCase() === "students") return "students";
  const items = raw.split(",");
  if (items.length > MAX_SESSION_CLUSTERS) return { error: `${key} lists ${items.length} people; a class session has at most ${MAX_SESSION_CLUSTERS}` };
  const bad = items.find((i) => !parsePersonRef(i));
  if (bad !== undefined) {
    return { error: `${key} "${cleanText(bad, 40) || "(empty)"}" is not a person: write students, or identities like slack:U0BOB (or @mentions) separated by commas` };
  }
  return raw;
}

/** The people `for=` names, in the order given (the parser has checked each). */
export function rosterItems(raw: string): string[] {
  return raw.split(",");
}
