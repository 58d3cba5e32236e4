/** Refuses to archive workspace files that hold a secret: workspaces are meant to hold none (SPEC §6). */
import { readFile } from "node:fs/promises";

/** Markers of secrets that must never sit in a workspace, whatever produced them. */
const MARKERS: { re: RegExp; what: string }[] = [
  { re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: "a private key" },
  { re: /\bclient-key-data:\s*\S{16,}/, what: "a kubeconfig client key" },
  { re: /\bxox[abprs]-[0-9A-Za-z-]{10,}/, what: "a Slack token" },
];

/** Returns what secret `file` holds (a marker, or one of `exact` such as PROXMOX_TOKEN_SECRET), or undefined when clean. */
export async function secretIn(file: string, exact: string[]): Promise<string | undefined> {
  const text = (await readFile(file)).toString("latin1");
  for (const m of MARKERS) if (m.re.test(text)) return m.what;
  for (const s of exact) if (s.length >= 6 && text.includes(s)) return "a secret from the environment";
  return undefined;
}
