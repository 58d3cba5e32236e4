/**
 * Checks the architecture's import rules: folders import only downward (the layers below), the core never imports
 * a chat library, adapters reach the core only through its narrow port, never the database or a subprocess.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** From the bottom up; a file may import its own folder and any folder on a lower floor, never one on its own floor or above. */
export const LAYERS: readonly (readonly string[])[] = [
  ["src/util"],
  ["src/log.ts", "src/metrics.ts", "src/db"],
  ["src/ippool", "src/secrets", "src/audit.ts"],
  ["src/config"],
  ["src/kernel"],
  ["src/provisioning"],
  ["src/jobs", "src/tenants"],
  ["src/chat"],
  ["src/clusters"],
  ["src/namespaces"],
  ["src/commands"],
  ["src/core"],
  ["src/http", "src/ops"],
  ["adapters/console", "adapters/slack", "adapters/discord", "adapters/web"],
  ["src/main.ts"],
];

/** What adapters may import from src/: the kernel's ports and cards, the grammar they render, settings, logs and metrics. */
const ADAPTER_MAY_IMPORT = /^src\/(kernel\/|commands\/grammar\.ts$|config\/(schema|settings)\.ts$|http\/server\.ts$|log\.ts$|metrics\.ts$)/;

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

/** The floor and the room (folder or top-level file) a repository path belongs to; undefined outside the house. */
function placeOf(path: string): { floor: number; room: string } | undefined {
  for (const [floor, rooms] of LAYERS.entries()) {
    for (const room of rooms) if (path === room || path.startsWith(`${room}/`)) return { floor, room };
  }
  return undefined;
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The one file that may write `clusters.state` (and insert clusters). */
export const STATE_OWNER = "src/clusters/lifecycle.ts";

/** Lines of `file` that write a cluster's state or insert a cluster: an update of `clusters` that sets `state`, or an insert. */
function stateWrites(text: string): number[] {
  const lines: number[] = [];
  for (const m of text.matchAll(/updateTable\(\s*["']clusters["']\s*\)|insertInto\(\s*["']clusters["']\s*\)/g)) {
    const end = text.indexOf(";", m.index);
    const statement = text.slice(m.index, end < 0 ? undefined : end);
    if (m[0].startsWith("insertInto") || /\bstate\s*:/.test(statement)) lines.push(text.slice(0, m.index).split("\n").length);
  }
  return lines;
}

/** Returns one line per import that breaks a rule, and per cluster state written outside the lifecycle module. */
export function boundaryViolations(root: string): string[] {
  const problems: string[] = [];
  try {
    for (const file of files(join(root, "src"))) {
      const from = relative(root, file);
      if (from === STATE_OWNER) continue;
      for (const line of stateWrites(readFileSync(file, "utf8"))) problems.push(`${from}:${line} writes clusters.state: only ${STATE_OWNER} may (use its transitions)`);
    }
  } catch { /* no src/ */ }
  for (const rule of RULES) {
    let dirFiles: string[];
    try { dirFiles = [...files(join(root, rule.dir))]; } catch { continue; }
    for (const file of dirFiles) {
      for (const spec of importsOf(file)) {
        if (rule.forbidden.test(spec)) problems.push(`${relative(root, file)} imports ${spec}: ${rule.why}`);
      }
    }
  }
  for (const top of ["src", "adapters"]) {
    let dirFiles: string[];
    try { dirFiles = [...files(join(root, top))]; } catch { continue; }
    for (const file of dirFiles) {
      const from = relative(root, file);
      const here = placeOf(from);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const to = relative(root, resolve(dirname(file), spec));
        const there = placeOf(to);
        if (!here || !there || here.room === there.room) continue;
        if (top === "adapters" && to.startsWith("src/") && !ADAPTER_MAY_IMPORT.test(to)) {
          problems.push(`${from} imports ${to}: adapters reach the core only through src/kernel (its ports and cards)`);
        } else if (there.floor >= here.floor) {
          problems.push(`${from} imports ${to}: ${there.room} is ${there.floor > here.floor ? "above" : "beside"} ${here.room}; folders import only downward`);
        }
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
