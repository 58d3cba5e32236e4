/** Parses `/cluster` text into a command or a usage error; never throws (SPEC §2). */
import { GRAMMAR, specOf, usageOf, type CommandSpec, type ValueKind } from "./grammar.ts";
import { CLUSTER_NAME_RULE, clusterName, parsePersonRef, parseRequestRef, tenantId, cleanText } from "./values.ts";
import { NAMESPACE_RULE, namespaceName } from "../namespaces/names.ts";
import { parseDuration, DURATION_HINT } from "../config/duration.ts";
import { parseStartSpec, START_HINT } from "../config/start-time.ts";
import { checkRoster, SESSION_NAME_RULE, sessionName } from "./class-values.ts";

export interface ParsedCommand {
  kind: "command";
  name: string;
  args: Record<string, string | undefined>;
  options: Record<string, string | number>;
}

export interface UsageError {
  kind: "usage";
  /** The command the text was meant for, when known. */
  command?: string;
  error: string;
  usage: string;
}

export type ParseResult = ParsedCommand | UsageError;

export interface ParseContext {
  /** Size names from the configuration. */
  sizes: readonly string[];
}

const MAX_TEXT = 1000;

/** Parses a command line; the result is a command with checked values, or a usage error naming what was wrong. */
export function parseCommand(text: string, ctx: ParseContext = { sizes: ["small", "medium", "large"] }): ParseResult {
  try {
    return parse(text, ctx);
  } catch {
    // Defensive: a bug here must never become a crash in chat.
    return { kind: "usage", error: "could not read that command", usage: "/cluster help" };
  }
}

function parse(text: string, ctx: ParseContext): ParseResult {
  if (text.length > MAX_TEXT) return usage(undefined, `that is too long (${text.length} characters; at most ${MAX_TEXT})`, ctx);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = words.shift();
  if (!first) return { kind: "command", name: "help", args: {}, options: {} };
  const spec = specOf(first.toLowerCase());
  if (!spec) return usage(undefined, `unknown command "${printable(first)}"`, ctx);

  const args: Record<string, string | undefined> = {};
  const options: Record<string, string | number> = {};
  let argIndex = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = word.indexOf("=");
    const argSpec = spec.args[argIndex];
    const key = eq > 0 ? word.slice(0, eq).toLowerCase() : "";
    const opt = spec.options.find((o) => o.key === key);
    if (argSpec?.rest && !opt) {
      args[argSpec.name] = cleanText(words.slice(i).join(" "));
      argIndex++;
      break;
    }
    if (eq > 0) {
      let raw = word.slice(eq + 1);
      // `at=tue 14:00` arrives as two words: a weekday takes the time that follows it.
      if (opt?.kind === "time" && /^[a-z]{3,9}$/i.test(raw) && /^[0-9]{1,2}:[0-9]{2}$/.test(words[i + 1] ?? "")) raw = `${raw} ${words[++i]}`;
      if (!opt) return usage(spec, unknownKey(spec, key), ctx);
      if (key in options) return usage(spec, `${key} is given twice`, ctx);
      const checked = checkValue(opt.kind, key, raw, ctx);
      if (typeof checked === "object") return usage(spec, checked.error, ctx);
      options[key] = checked;
      continue;
    }
    if (!argSpec) return usage(spec, `unexpected "${printable(word)}"`, ctx);
    const checked = checkValue(argSpec.kind, argSpec.name, word, ctx, argSpec.choices);
    if (typeof checked === "object") return usage(spec, checked.error, ctx);
    args[argSpec.name] = String(checked);
    argIndex++;
  }
  const missing = spec.args.find((a) => a.required && args[a.name] === undefined);
  if (missing) return usage(spec, `${missing.name} is missing`, ctx);
  return { kind: "command", name: spec.name, args, options };
}

function checkValue(kind: ValueKind, key: string, raw: string, ctx: ParseContext, choices?: readonly string[]): string | number | { error: string } {
  const shown = printable(raw);
  switch (kind) {
    case "cluster":
      return clusterName.safeParse(raw).success ? raw : { error: `${key} "${shown}" is not valid: it must be ${CLUSTER_NAME_RULE}` };
    case "request":
      return parseRequestRef(raw) ? raw : { error: `${key} "${shown}" is not a request id (like 12 or #12) or a cluster name` };
    case "workers": {
      if (!/^[0-9]{1,3}$/.test(raw)) return { error: `${key} must be a whole number from 0 to your tenant's max_workers, not "${shown}"` };
      return Number(raw);
    }
    case "worker_target": {
      if (!/^[0-9]{1,3}$/.test(raw) || Number(raw) > 50) return { error: `${key} must be a whole number from 0 to 50, not "${shown}"` };
      return Number(raw);
    }
    case "size":
      return ctx.sizes.includes(raw) ? raw : { error: `${key} must be one of ${ctx.sizes.join(", ")}, not "${shown}"` };
    case "duration":
      return parseDuration(raw) !== undefined ? raw : { error: `${key} must be ${DURATION_HINT}, not "${shown}"` };
    case "tenant":
      return tenantId.safeParse(raw).success ? raw : { error: `${key} "${shown}" is not a tenant id (lowercase letters, digits and "-")` };
    case "command":
      return specOf(raw.toLowerCase()) ? raw.toLowerCase() : { error: `there is no command "${shown}"; commands: ${GRAMMAR.map((c) => c.name).join(", ")}` };
    case "scope":
      return choices?.includes(raw) ? raw : { error: `${key} must be one of ${choices?.join(", ")}, not "${shown}"` };
    case "text":
      return cleanText(raw);
    case "namespace":
      return namespaceName.safeParse(raw).success ? raw : { error: `${key} "${shown}" is not valid: it must be ${NAMESPACE_RULE}` };
    case "person":
      return parsePersonRef(raw) ? raw : { error: `${key} "${shown}" is not a person: write an identity like slack:U0BOB or discord:1200000000000000001, or an @mention` };
    case "session":
      return sessionName.safeParse(raw).success ? raw : { error: `${key} "${shown}" is not valid: it must be ${SESSION_NAME_RULE}` };
    case "time":
      return parseStartSpec(raw) ? raw : { error: `${key} must be ${START_HINT}, not "${shown}"` };
    case "roster":
      return checkRoster(key, raw);
    case "role":
    case "subcommand":
      return choices?.includes(raw.toLowerCase()) ? raw.toLowerCase() : { error: `${key} must be one of ${choices?.join(", ")}, not "${shown}"` };
  }
}

function unknownKey(spec: CommandSpec, key: string): string {
  const allowed = spec.options.map((o) => o.key);
  const shown = printable(key);
  return allowed.length ? `unknown option "${shown}"; ${spec.name} takes ${allowed.join(", ")}` : `${spec.name} takes no options (got "${shown}")`;
}

function usage(spec: CommandSpec | undefined, error: string, ctx: ParseContext): UsageError {
  return spec
    ? { kind: "usage", command: spec.name, error, usage: usageOf(spec, ctx.sizes) }
    : { kind: "usage", error, usage: `/cluster <command> …  — commands: ${GRAMMAR.map((c) => c.name).join(", ")}; try /cluster help` };
}

/** Shortens and strips control characters from user text echoed in an error. */
function printable(text: string): string {
  const clean = cleanText(text, 40);
  return clean.length < text.length ? `${clean}…` : clean;
}
