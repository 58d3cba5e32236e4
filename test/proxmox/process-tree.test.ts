/** runTree streams every line of its child, even one that is done before runTree has written its pid file. */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { pbkdf2 } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTree } from "../../src/provisioning/proxmox/process-tree.ts";

describe("runTree", () => {
  it("loses no output while the pid file waits for a busy threadpool (a child done in milliseconds)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "labforge-tree-"));
    try {
      // Keep libuv's threadpool (file writes share it) busy for a while: the pid file write waits behind it.
      const busy = Array.from({ length: 24 }, () => new Promise((r) => pbkdf2("x", "salt", 60_000, 32, "sha256", r)));
      const lines: string[] = [];
      const r = await runTree("sh", ["-c", "for i in 1 2 3 4 5; do echo line$i; done"], {
        cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, signal: new AbortController().signal, killAfterMs: 1000,
        pidFile: join(dir, ".pid"), onStdout: (l) => lines.push(l), onStderr: () => {},
      });
      await Promise.all(busy);
      expect(r.exitCode).toBe(0);
      expect(lines).toEqual(["line1", "line2", "line3", "line4", "line5"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
