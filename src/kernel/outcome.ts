/** What a command or button handler returns: a reply, or a refusal with a stable code (never a throw for bad input). */
import type { Card, Reply } from "./cards.ts";

/** A precondition's result: ok, or a failure with a stable code (tests assert codes, not wording). */
export type Check = { ok: true } | { ok: false; code: string; message: string };

export const OK: Check = { ok: true };

/** Builds a failed precondition. */
export function failure(code: string, message: string): Check {
  return { ok: false, code, message };
}

export type Outcome =
  | { ok: true; reply: Reply }
  | { ok: false; code: string; message: string; usage?: string };

/** A successful outcome shown only to the caller (or to the channel when `visibility` says so). */
export function done(card: Card, visibility: Reply["visibility"] = "private"): Outcome {
  return { ok: true, reply: { card, visibility } };
}

/** A refusal: what was wrong, for the caller only. */
export function refuse(code: string, message: string, usage?: string): Outcome {
  return { ok: false, code, message, usage };
}

/** Turns a failed precondition into an outcome. */
export function refused(check: Extract<Check, { ok: false }>): Outcome {
  return refuse(check.code, check.message);
}
