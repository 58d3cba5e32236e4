/** Runs the real bot as `npm start` does (`node dist/src/main.js`, built by test/global-setup.ts) as a child process with its own data dir. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface BotProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts the bot with stdin as a pipe (scripted console mode); env adds to a clean environment. */
export function startBot(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ["--enable-source-maps", "--max-semi-space-size=4", join(ROOT, "dist", "src", "main.js")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: "0", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => { out += String(d); });
  child.stderr.on("data", (d) => { err += String(d); });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a whole script through the bot and resolves with its output and exit code. */
export async function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bot = startBot(env);
  bot.child.stdin.end(script);
  const code = await bot.exited;
  return { code, stdout: bot.stdout(), stderr: bot.stderr() };
}
