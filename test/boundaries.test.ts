import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boundaryViolations } from "../scripts/check-boundaries.ts";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "labforge-bounds-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("architecture boundaries", () => {
  it("holds in this repository", () => {
    expect(boundaryViolations(join(import.meta.dirname, ".."))).toEqual([]);
  });

  it("catches a chat library in the core and a database import in an adapter", () => {
    const root = tree({
      "src/x.ts": 'import "discord.js";\nimport { App } from "@slack/bolt";\n',
      "adapters/slack/y.ts": 'import Database from "better-sqlite3";\nimport { openDb } from "../../src/db/open.ts";\n',
    });
    const problems = boundaryViolations(root);
    expect(problems.filter((p) => p.includes("chat library"))).toHaveLength(2);
    expect(problems.filter((p) => p.includes("database"))).toHaveLength(2);
  });

  it("catches a cluster state written outside the lifecycle module, and leaves other cluster columns alone", () => {
    const root = tree({
      "src/clusters/lifecycle.ts": 'await trx.updateTable("clusters").set({ state: to }).execute();\n',
      "src/clusters/delete.ts": 'const a = 1;\nawait trx.updateTable("clusters")\n  .set({ state: "deleted", updated_at: now }).execute();\n',
      "src/commands/create.ts": 'await trx.insertInto("clusters").values(row).execute();\n',
      "src/clusters/repo.ts": 'await db.updateTable("clusters").set({ root_ref: ref }).where("state", "=", "ready").execute();\n',
    });
    expect(boundaryViolations(root)).toEqual([
      "src/clusters/delete.ts:2 writes clusters.state: only src/clusters/lifecycle.ts may (use its transitions)",
      "src/commands/create.ts:1 writes clusters.state: only src/clusters/lifecycle.ts may (use its transitions)",
    ]);
  });

  it("catches an import that runs up or sideways, and an adapter reaching past the kernel", () => {
    const root = tree({
      "src/jobs/queue.ts": 'import { Notifier } from "../clusters/notifier.ts";\nimport { Directory } from "../tenants/directory.ts";\nimport { openDb } from "../db/open.ts";\n',
      "src/clusters/notifier.ts": 'import type { Outcome } from "../kernel/outcome.ts";\n',
      "adapters/console/chat.ts": 'import type { Core } from "../../src/core/core.ts";\nimport type { InboundPort } from "../../src/kernel/ports.ts";\n',
    });
    expect(boundaryViolations(root).sort()).toEqual([
      "adapters/console/chat.ts imports src/core/core.ts: adapters reach the core only through src/kernel (its ports and cards)",
      "src/jobs/queue.ts imports src/clusters/notifier.ts: src/clusters is above src/jobs; folders import only downward",
      "src/jobs/queue.ts imports src/tenants/directory.ts: src/tenants is beside src/jobs; folders import only downward",
    ]);
  });
});
