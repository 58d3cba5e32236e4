/** A short digest of a card, stored to tell whether a message already shows it. */
import { createHash } from "node:crypto";
import type { Card } from "../kernel/cards.ts";

/** The card's digest (22 url-safe characters of its SHA-256). */
export function cardDigest(card: Card): string {
  return createHash("sha256").update(JSON.stringify(card)).digest("base64url").slice(0, 22);
}
