/** LABFORGE_SWEEP_INTERVAL_MS, the knob the real-process suite uses to see expiry reminders within seconds. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/load.ts";
import { loadSettings } from "../../src/config/settings.ts";

describe("LABFORGE_SWEEP_INTERVAL_MS", () => {
  it("is unset by default (the core's 30 s), takes milliseconds, and names itself when out of range", () => {
    expect(loadSettings({}).LABFORGE_SWEEP_INTERVAL_MS).toBeUndefined();
    expect(loadSettings({ LABFORGE_SWEEP_INTERVAL_MS: "250" }).LABFORGE_SWEEP_INTERVAL_MS).toBe(250);
    for (const bad of ["5", "30s", "4000000"]) {
      let problems: string[] = [];
      try { loadSettings({ LABFORGE_SWEEP_INTERVAL_MS: bad }); } catch (e) { if (e instanceof ConfigError) problems = e.problems; }
      expect(problems.some((p) => p.startsWith("LABFORGE_SWEEP_INTERVAL_MS:")), `${bad}: ${problems.join("; ")}`).toBe(true);
    }
  });
});
