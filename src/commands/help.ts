/** `help [command]`: usage, who may use it, and examples. */
import type { CommandHandler } from "./context.ts";
import { done } from "../kernel/outcome.ts";
import { GRAMMAR, specOf, usageOf } from "./grammar.ts";

export const help: CommandHandler = async ({ app, cmd }) => {
  const sizes = Object.keys(app.config.sizes);
  const spec = cmd.args.command ? specOf(cmd.args.command) : undefined;
  if (spec) {
    const args = [...spec.args.map((a) => `${a.name}: ${a.description}`), ...spec.options.map((o) => `${o.key}=: ${o.description}`)];
    return done({
      title: `/cluster ${spec.name} — ${spec.summary}`,
      code: [usageOf(spec, sizes), "", ...args, "", "Examples:", ...spec.examples.map((e) => `  /cluster ${e}`)].join("\n"),
      text: `Who: ${spec.who}. Durations: 30m, 12h, 7d, 2w.`,
    });
  }
  return done({
    title: "labforge: Kubernetes clusters on the department's hosts",
    code: GRAMMAR.map((c) => `${c.name.padEnd(11)}${c.summary}`).join("\n"),
    text: "Type /cluster help <command> for its options and examples. Start with /cluster create lab1",
  });
};
