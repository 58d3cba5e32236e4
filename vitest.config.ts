import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // dist/ is built once per run: tests start the bot from it, exactly as `npm start` does.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here: process-spawning tests (console, restart, ssh) are heavy, so cap the forks.
    maxWorkers: 2,
  },
});
