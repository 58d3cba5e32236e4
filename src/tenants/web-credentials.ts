/**
 * Web credentials (issue 15): one-time sign-in links, browser sessions and personal API tokens. Only a SHA-256 hash of
 * each secret is stored, so a copy of the database opens nothing. Each names an identity, never roles: roles are read
 * again on every request, so a revoke takes effect at once.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";

export const LINK_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 3_600_000;

// 32 random bytes in base64url: 43 characters. API tokens carry a prefix so secret scanners and people recognize them.
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
const API_TOKEN_RE = /^lfp_[A-Za-z0-9_-]{43}$/;

function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** True when `s` has the shape of a sign-in link token or session id (checked before any query). */
export function isSecretShape(s: string): boolean {
  return SECRET_RE.test(s);
}

/** Makes a sign-in link token for `identity`, valid 10 minutes and once; returns the token (never stored). */
export async function createSignInLink(db: Kysely<Database>, identity: string, now: number): Promise<string> {
  const token = newSecret();
  await db.deleteFrom("web_links").where("expires_at", "<", now - 86_400_000).execute();
  await db.insertInto("web_links").values({ token_hash: hashSecret(token), identity, created_at: now, expires_at: now + LINK_TTL_MS, used_at: null }).execute();
  return token;
}

/** Uses a sign-in link once: a compare-and-set on `used_at`, so two tabs racing get one session. */
export async function redeemSignInLink(db: Kysely<Database>, token: string, now: number): Promise<{ identity: string; session: string } | undefined> {
  if (!SECRET_RE.test(token)) return undefined;
  const hash = hashSecret(token);
  const used = await db.updateTable("web_links").set({ used_at: now })
    .where("token_hash", "=", hash).where("used_at", "is", null).where("expires_at", ">", now).executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) return undefined;
  const link = await db.selectFrom("web_links").select("identity").where("token_hash", "=", hash).executeTakeFirstOrThrow();
  const session = newSecret();
  await db.deleteFrom("web_sessions").where("expires_at", "<", now).execute();
  await db.insertInto("web_sessions").values({ id_hash: hashSecret(session), identity: link.identity, created_at: now, expires_at: now + SESSION_TTL_MS }).execute();
  return { identity: link.identity, session };
}

/** The identity a live session belongs to, or undefined (unknown, malformed or past its 12 hours). */
export async function sessionIdentity(db: Kysely<Database>, session: string, now: number): Promise<string | undefined> {
  if (!SECRET_RE.test(session)) return undefined;
  const row = await db.selectFrom("web_sessions").select("identity").where("id_hash", "=", hashSecret(session)).where("expires_at", ">", now).executeTakeFirst();
  return row?.identity;
}

/** Ends a session (sign out). */
export async function endSession(db: Kysely<Database>, session: string): Promise<void> {
  if (!SECRET_RE.test(session)) return;
  await db.deleteFrom("web_sessions").where("id_hash", "=", hashSecret(session)).execute();
}

/** Makes a new personal API token for `identity`, revoking the person's older ones; returns it (shown once). */
export async function createApiToken(db: Kysely<Database>, identities: readonly string[], identity: string, now: number): Promise<{ token: string; replaced: number }> {
  const token = `lfp_${newSecret()}`;
  return db.transaction().execute(async (trx) => {
    const replaced = await revokeApiTokens(trx, identities, now);
    await trx.insertInto("api_tokens").values({ token_hash: hashSecret(token), identity, created_at: now, revoked_at: null }).execute();
    return { token, replaced };
  });
}

/** Revokes every live API token of the person (any of their identities); returns how many. */
export async function revokeApiTokens(db: Kysely<Database>, identities: readonly string[], now: number): Promise<number> {
  const r = await db.updateTable("api_tokens").set({ revoked_at: now }).where("identity", "in", identities).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The identity a live API token belongs to, or undefined. */
export async function apiTokenIdentity(db: Kysely<Database>, token: string): Promise<string | undefined> {
  if (!API_TOKEN_RE.test(token)) return undefined;
  const row = await db.selectFrom("api_tokens").select("identity").where("token_hash", "=", hashSecret(token)).where("revoked_at", "is", null).executeTakeFirst();
  return row?.identity;
}
