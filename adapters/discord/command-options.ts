/** Generates the `/cluster` slash command from GRAMMAR: one subcommand per command, a typed option per argument and key=value option. */
import {
  ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType,
  type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { GRAMMAR, type CommandSpec, type ValueKind } from "../../src/commands/grammar.ts";
import type { Config } from "../../src/config/schema.ts";

export const COMMAND_NAME = "cluster";

/** Kinds whose values the core can suggest while the user types (see CorePort.autocomplete). */
export const AUTOCOMPLETE_KINDS: Partial<Record<ValueKind, "cluster" | "request" | "tenant">> = { cluster: "cluster", request: "request", tenant: "tenant" };

/** One Discord option of a subcommand, with the grammar entry it came from. */
export interface OptionSource {
  name: string;
  kind: ValueKind;
  /** `arg` is positional in the command text; `option` is written `key=value`. */
  from: "arg" | "option";
  rest: boolean;
}

const NAME_RE = /^[-_\p{L}\p{N}]{1,32}$/u;

/** The grammar entries behind a subcommand's options, in the grammar's order (which the command text follows). */
export function sourcesOf(spec: CommandSpec): OptionSource[] {
  return [
    ...spec.args.map((a) => ({ name: a.name, kind: a.kind, from: "arg" as const, rest: a.rest ?? false })),
    ...spec.options.map((o) => ({ name: o.key, kind: o.kind, from: "option" as const, rest: false })),
  ];
}

/** The `/cluster` command body for a bulk overwrite; throws when the grammar cannot be expressed within Discord's rules. */
export function buildClusterCommand(config: Config, grammar: readonly CommandSpec[] = GRAMMAR): RESTPostAPIChatInputApplicationCommandsJSONBody {
  if (grammar.length > 25) throw new Error(`Discord allows 25 subcommands; the grammar has ${grammar.length}`);
  return {
    name: COMMAND_NAME, type: ApplicationCommandType.ChatInput, description: "Self-service Kubernetes clusters",
    contexts: [InteractionContextType.Guild], integration_types: [ApplicationIntegrationType.GuildInstall],
    options: grammar.map((spec) => {
      const options = [...spec.args.map((a) => optionFor(config, a.name, a.kind, a.description, a.required, a.choices, a.rest)),
        ...spec.options.map((o) => optionFor(config, o.key, o.kind, o.description, false))];
      const names = new Set(options.map((o) => o.name));
      if (names.size !== options.length) throw new Error(`/cluster ${spec.name}: two options share a name`);
      if (options.length > 25) throw new Error(`/cluster ${spec.name}: Discord allows 25 options`);
      for (const o of options) if (!NAME_RE.test(o.name) || o.name !== o.name.toLowerCase()) throw new Error(`/cluster ${spec.name}: "${o.name}" is not a valid Discord option name`);
      // Discord requires required options first; the text we build follows the grammar's order instead.
      options.sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
      return { type: ApplicationCommandOptionType.Subcommand, name: spec.name, description: short(spec.summary), options };
    }),
  };
}

function optionFor(config: Config, name: string, kind: ValueKind, description: string, required: boolean,
  choices?: readonly string[], rest = false): APIApplicationCommandBasicOption {
  const base = { name, description: short(description), required };
  const S = ApplicationCommandOptionType.String;
  const listed = (values: readonly string[]) => values.length > 0 && values.length <= 25
    ? { type: S, choices: values.map((v) => ({ name: v, value: v })) } as const
    : { type: S, max_length: 100 } as const;
  // `as string`: the grammar grows kinds over time; an unknown one becomes a plain string option.
  switch (kind as string) {
    case "cluster": return { ...base, type: S, min_length: 3, max_length: 24, autocomplete: true };
    case "request": return { ...base, type: S, min_length: 1, max_length: 24, autocomplete: true };
    case "tenant": return { ...base, type: S, min_length: 2, max_length: 32, autocomplete: true };
    case "workers": {
      const max = Math.max(0, ...Object.values(config.tenants).map((t) => t.limits.max_workers));
      return { ...base, type: ApplicationCommandOptionType.Integer, min_value: 0, max_value: max };
    }
    case "worker_target": return { ...base, type: ApplicationCommandOptionType.Integer, min_value: 0, max_value: 50 };
    case "size": return { ...base, ...listed(Object.keys(config.sizes)) };
    case "duration": return { ...base, type: S, min_length: 2, max_length: 16 };
    case "command": return { ...base, ...listed(GRAMMAR.map((c) => c.name)) };
    case "namespace": return { ...base, type: S, min_length: 1, max_length: 63 };
    case "person": return { ...base, type: ApplicationCommandOptionType.User };
    case "text": return { ...base, type: S, max_length: rest ? 300 : 100 };
    default: return choices ? { ...base, ...listed(choices) } : { ...base, type: S, max_length: 100 };
  }
}

/** Discord descriptions are 1–100 characters. */
function short(text: string): string {
  const t = text.trim() || "—";
  return t.length <= 100 ? t : `${t.slice(0, 99)}…`;
}
