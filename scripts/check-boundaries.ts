/** Checks the architecture's import rules: the core never imports a chat library; adapters never touch the database or run subprocesses. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const RULES: { dir: string; forbidden: RegExp; why: string }[] = [
  { dir: "src", forbidden: /^(@slack\/|discord\.js|@discordjs\/)/, why: "the core must not import a chat library" },
  { dir: "adapters", forbidden: /^(better-sqlite3|kysely|execa|ssh2|node:child_process|child_process)$|\/src\/db\//, why: "adapters must not touch the database or run subprocesses" },
];

const IMPORT = /(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

/** Returns one line per import that breaks a rule. */
export function boundaryViolations(root: string): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    let dirFiles: string[];
    try { dirFiles = [...files(join(root, rule.dir))]; } catch { continue; }
    for (const file of dirFiles) {
      for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (rule.forbidden.test(spec)) problems.push(`${relative(root, file)} imports ${spec}: ${rule.why}`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  const problems = boundaryViolations(join(import.meta.dirname, ".."));
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
}
