/**
 * Turns a `/cluster <sub>` interaction's typed options back into the core's text form (`create lab3 workers=2`).
 * Values are checked so that none can smuggle in another word or option; the core's parser then checks each value.
 */
import type { CommandSpec } from "../../src/commands/grammar.ts";
import { identityOf, isSnowflake } from "./refs.ts";
import { sourcesOf } from "./command-options.ts";

export interface GivenOption {
  name: string;
  value?: string | number | boolean;
}

export type TextResult = { ok: true; text: string } | { ok: false; error: string };

// One word: no whitespace or control characters. A positional word must not contain "=", or the parser would read an option.
const WORD = /^[^\s\p{Cc}]{1,100}$/u;
const CONTROL = /\p{Cc}/u;

/** The core's command text for a subcommand, or an error that names the option at fault. */
export function commandText(spec: CommandSpec, given: readonly GivenOption[]): TextResult {
  const sources = sourcesOf(spec);
  const values = new Map<string, string>();
  for (const g of given) {
    const source = sources.find((s) => s.name === g.name);
    if (!source) return { ok: false, error: `the option "${g.name.slice(0, 32)}" is not part of /cluster ${spec.name} any more; wait a minute for Discord to refresh the command, then try again` };
    const v = valueText(source.kind, g.value);
    if (v === undefined) return { ok: false, error: `${g.name} has a value of the wrong type` };
    values.set(g.name, v);
  }
  const words: string[] = [spec.name];
  let skipped: string | undefined;
  let rest: string | undefined;
  for (const s of sources) {
    const v = values.get(s.name);
    if (s.from === "option") {
      if (v === undefined) continue;
      if (!WORD.test(v)) return { ok: false, error: `${s.name} must be a single word without spaces` };
      words.push(`${s.name}=${v}`);
    } else if (s.rest) {
      if (v === undefined) continue;
      const trimmed = v.trim();
      if (CONTROL.test(trimmed) || trimmed.length > 300) return { ok: false, error: `${s.name} must be one line of at most 300 characters` };
      // The parser reads a leading key=value as an option, so such a text would change the command's meaning.
      if (/^\S*=/.test(trimmed)) return { ok: false, error: `${s.name} must not start with a key=value word` };
      if (trimmed) rest = trimmed;
    } else {
      if (v === undefined) { skipped ??= s.name; continue; }
      // Positional words fill slots in order: a later one after a missing one would land in the wrong slot.
      if (skipped) return { ok: false, error: `give ${skipped} too when you give ${s.name}` };
      if (!WORD.test(v) || v.includes("=")) return { ok: false, error: `${s.name} must be a single word without spaces or "="` };
      words.push(v);
    }
  }
  if (rest !== undefined) {
    if (skipped) return { ok: false, error: `give ${skipped} too when you give a ${sources.find((s) => s.rest)!.name}` };
    words.push(rest);
  }
  return { ok: true, text: words.join(" ") };
}

/** A Discord option value as the text the parser expects; user options become `discord:<id>` identities. */
function valueText(kind: string, value: GivenOption["value"]): string | undefined {
  if (kind === "person") return typeof value === "string" && isSnowflake(value) ? identityOf(value) : undefined;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : undefined;
  if (typeof value === "string") return value;
  return undefined;
}
