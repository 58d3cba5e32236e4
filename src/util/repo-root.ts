/** Where labforge is installed: the folder holding its package.json, found from this file whether it runs as TypeScript or from dist/. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function find(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "labforge") return dir;
    if (dirname(dir) === dir) throw new Error(`labforge's package.json was not found above ${from}`);
  }
}

/** The installation's root (iac/, ansible/, package.json live there). */
export const REPO_ROOT = find(import.meta.dirname);
