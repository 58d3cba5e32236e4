/** Loads labforge.yaml (or the demo configuration) and validates it, listing every problem by its path. */
import { readFileSync, existsSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./schema.ts";
import { DEMO_CONFIG } from "./demo.ts";

/** Raised when the configuration is invalid; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or "built-in demo configuration". */
  source: string;
}

/** Formats a zod issue path as `tenants.cs401.limits.max_workers` or `members[1].identities[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) =>
    typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key), "");
}

/** Turns zod issues into `path: message` lines, most specific message first. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path) || "(top level)"}: ${issue.message}`);
}

/** Validates an already-parsed configuration object. */
export function parseConfig(raw: unknown, source: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(source, formatIssues(result.error));
  return result.data;
}

/** Reads the YAML file at `path`, or the demo configuration when there is no file and the path was not set explicitly. */
export function loadConfigFile(path: string, explicit: boolean): LoadedConfig {
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(path, [`file not found (LABFORGE_CONFIG=${path})`]);
    return { config: parseConfig(DEMO_CONFIG, "built-in demo configuration"), source: "built-in demo configuration" };
  }
  const text = readFileSync(path, "utf8");
  const doc = parseDocument(text, { uniqueKeys: true });
  // Only the first syntax error: the parser's later ones are mostly follow-ons of it.
  const first = doc.errors[0];
  if (first) throw new ConfigError(path, [yamlProblem(text, first.linePos?.[0]?.line, first.message)]);
  return { config: parseConfig(doc.toJS(), path), source: path };
}

/** One YAML syntax problem: its line number, the parser's message, and the whole offending line quoted. */
export function yamlProblem(text: string, line: number | undefined, message: string): string {
  // The parser's own message ends in a caret excerpt that cuts long lines; quote the whole line instead.
  const what = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  const lines = text.split(/\r?\n/);
  let at = line;
  // An error found at the end of the file (an unclosed quote) belongs to the last line that has text.
  while (at !== undefined && at > 1 && (lines[at - 1] ?? "").trim() === "") at--;
  const source = at === undefined ? undefined : lines[at - 1];
  return `line ${at ?? "?"}: ${what}${source === undefined ? "" : `: ${JSON.stringify(source)}`}`;
}
