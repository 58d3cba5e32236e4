/** `at=` in the tenant's zone: the forms, their next occurrence, and daylight-saving nights, with Intl only. */
import { describe, expect, it } from "vitest";
import { parseStartSpec, resolveStart } from "../../src/config/start-time.ts";
import { formatZoned, isTimeZone, zonedToUtc } from "../../src/util/local-time.ts";
import { parseConfig } from "../../src/config/load.ts";
import { baseConfig } from "../helpers/harness.ts";

const at = (text: string, now: number, tz: string) => resolveStart(parseStartSpec(text)!, now, tz);

describe("at= times", () => {
  // Monday 2026-12-07 10:00 in Berlin (09:00 UTC).
  const monday = Date.UTC(2026, 11, 7, 9, 0);

  it("reads a weekday and time, a bare time, a date and a relative time in the tenant's zone", () => {
    expect(at("tue 14:00", monday, "Europe/Berlin")).toBe(Date.UTC(2026, 11, 8, 13, 0));
    expect(at("Tuesday-14:00", monday, "Europe/Berlin")).toBe(Date.UTC(2026, 11, 8, 13, 0));
    expect(at("tue 14:00", monday, "UTC")).toBe(Date.UTC(2026, 11, 8, 14, 0));
    // Today's 14:00 is still ahead; 09:30 has passed, so it is tomorrow's; the same weekday is next week's once passed.
    expect(at("14:00", monday, "Europe/Berlin")).toBe(Date.UTC(2026, 11, 7, 13, 0));
    expect(at("09:30", monday, "Europe/Berlin")).toBe(Date.UTC(2026, 11, 8, 8, 30));
    expect(at("mon 09:30", monday, "Europe/Berlin")).toBe(Date.UTC(2026, 11, 14, 8, 30));
    expect(at("2026-12-08T14:00", monday, "America/New_York")).toBe(Date.UTC(2026, 11, 8, 19, 0));
    expect(at("+3h", monday, "Asia/Tokyo")).toBe(monday + 3 * 3_600_000);
  });

  it("crosses daylight-saving changes: a summer lab after a winter request keeps its wall time", () => {
    // Saturday 2026-03-28 in Berlin is still winter time (UTC+1); Monday 2026-03-30 is summer time (UTC+2).
    expect(at("mon 14:00", Date.UTC(2026, 2, 28, 12), "Europe/Berlin")).toBe(Date.UTC(2026, 2, 30, 12, 0));
    // 02:30 does not exist on the night clocks go forward: it moves on by the gap, to 03:30 summer time.
    expect(zonedToUtc(2026, 3, 29, 2, 30, "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // 02:30 happens twice on the night clocks go back: the first one (summer time) is meant.
    expect(zonedToUtc(2026, 10, 25, 2, 30, "Europe/Berlin")).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(formatZoned(Date.UTC(2026, 2, 30, 12, 0), "Europe/Berlin")).toBe("Mon 2026-03-30 14:00 Europe/Berlin");
  });

  it.each(["tue", "tue 25:00", "2026-02-30T14:00", "2026-12-08", "+3y", "+0h", "noon", "friday 9"])("refuses %j", (text) => {
    expect(parseStartSpec(text)).toBeUndefined();
  });

  it("the tenant setting takes IANA names only, defaulting to UTC", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    const c = baseConfig() as { tenants: Record<string, Record<string, unknown>> };
    expect(parseConfig(c, "test").tenants.cs401!.timezone).toBe("UTC");
    c.tenants.cs401!.timezone = "Mars/Olympus";
    expect(() => parseConfig(c, "test")).toThrow(/tenants\.cs401\.timezone: expected an IANA time zone like Europe\/Berlin or UTC/);
  });
});
