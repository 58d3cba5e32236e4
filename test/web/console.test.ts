/** `/cluster web` in the real bot process's console (issue 15): the link is printed; without the setting, what to set. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runScript } from "../helpers/bot-process.ts";

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

it("without LABFORGE_PUBLIC_URL the console says which variable to set; with it, the DM prints the link", async () => {
  dir = mkdtempSync(join(tmpdir(), "labforge-web-console-"));
  const without = await runScript("/as console:bob\n/cluster web\n", { LABFORGE_DATA_DIR: join(dir, "a") });
  expect(without.code).toBe(0);
  expect(without.stdout).toContain("LABFORGE_PUBLIC_URL");
  expect(without.stdout).not.toContain("/login/");
  const withUrl = await runScript("/as console:bob\n/cluster web\n/cluster token create\n", { LABFORGE_DATA_DIR: join(dir, "b"), LABFORGE_PUBLIC_URL: "http://localhost:3000/" });
  expect(withUrl.code).toBe(0);
  expect(withUrl.stdout).toMatch(/\[DM to console:bob\]\n• Sign in to the labforge web page[\s\S]*http:\/\/localhost:3000\/login\/[A-Za-z0-9_-]{43}\n/);
  expect(withUrl.stdout).toMatch(/curl -H "Authorization: Bearer lfp_[A-Za-z0-9_-]{43}" http:\/\/localhost:3000\/api\/v1\/clusters/);
  const bad = await runScript("", { LABFORGE_DATA_DIR: join(dir, "c"), LABFORGE_PUBLIC_URL: "ftp://x" });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("LABFORGE_PUBLIC_URL");
}, 60_000);
