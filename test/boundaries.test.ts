import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boundaryViolations } from "../scripts/check-boundaries.ts";

describe("architecture boundaries", () => {
  it("holds in this repository", () => {
    expect(boundaryViolations(join(import.meta.dirname, ".."))).toEqual([]);
  });

  it("catches a chat library in the core and a database import in an adapter", () => {
    const root = mkdtempSync(join(tmpdir(), "labforge-bounds-"));
    mkdirSync(join(root, "src"));
    mkdirSync(join(root, "adapters", "slack"), { recursive: true });
    writeFileSync(join(root, "src", "x.ts"), 'import "discord.js";\nimport { App } from "@slack/bolt";\n');
    writeFileSync(join(root, "adapters", "slack", "y.ts"), 'import Database from "better-sqlite3";\nimport { openDb } from "../../src/db/open.ts";\n');
    expect(boundaryViolations(root)).toHaveLength(4);
  });
});
