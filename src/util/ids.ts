/** Identifiers for clusters: short, random, safe in paths and VM names. */
import { randomBytes } from "node:crypto";

export const CLUSTER_ID_RE = /^c-[0-9a-f]{12}$/;

/** A new random cluster id such as `c-3f9a0c12be47`. */
export function newClusterId(): string {
  return `c-${randomBytes(6).toString("hex")}`;
}

/** A new random class session id such as `s-3f9a0c12be47`. */
export function newSessionId(): string {
  return `s-${randomBytes(6).toString("hex")}`;
}
