/** Removes secrets from text before it reaches a log, a chat message or a job's log tail. */

const PATTERNS: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, "[redacted private key]"],
  [/\b(client-key-data|client-certificate-data|token|password|secret)(\s*[:=]\s*)("?)[^\s"]+\3/gi, "$1$2[redacted]"],
  [/\bxox[abprs]-[A-Za-z0-9-]+/g, "[redacted slack token]"],
  [/\bxapp-[A-Za-z0-9-]+/g, "[redacted slack token]"],
  [/(PVEAPIToken=)?[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z0-9._-]+[=:][0-9a-f-]{36}/g, "[redacted proxmox token]"],
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers exact secret values (tokens, keys) to be replaced wherever they appear. */
  add(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= 6) this.secrets.add(v);
  }

  /** Returns `text` with every registered secret and every secret-looking pattern replaced. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("[redacted]");
    for (const [re, repl] of PATTERNS) out = out.replace(re, repl);
    return out;
  }
}
