/** nextLocalTime: auto-stop's `at:` in the tenant's time zone, across midnight and daylight-saving changes. */
import { describe, expect, it } from "vitest";
import { nextLocalTime } from "../src/util/local-time.ts";

describe("nextLocalTime", () => {
  it("finds today's or tomorrow's HH:MM in UTC and in a zone east of it", () => {
    expect(nextLocalTime(Date.UTC(2026, 0, 12, 9), "22:00", "UTC")).toBe(Date.UTC(2026, 0, 12, 22));
    expect(nextLocalTime(Date.UTC(2026, 0, 12, 22), "22:00", "UTC")).toBe(Date.UTC(2026, 0, 13, 22));
    // Berlin is UTC+1 in January: 22:00 there is 21:00 UTC.
    expect(nextLocalTime(Date.UTC(2026, 0, 12, 9), "22:00", "Europe/Berlin")).toBe(Date.UTC(2026, 0, 12, 21));
    expect(nextLocalTime(Date.UTC(2026, 0, 12, 21, 30), "22:00", "Europe/Berlin")).toBe(Date.UTC(2026, 0, 13, 21));
    // Los Angeles is UTC−8: 22:00 on the 12th there is 06:00 UTC on the 13th.
    expect(nextLocalTime(Date.UTC(2026, 0, 12, 9), "22:00", "America/Los_Angeles")).toBe(Date.UTC(2026, 0, 13, 6));
  });

  it("follows the offset across a daylight-saving change", () => {
    // Berlin moves to UTC+2 on 2026-03-29: 22:00 that evening is 20:00 UTC; the evening before it was 21:00 UTC.
    expect(nextLocalTime(Date.UTC(2026, 2, 28, 12), "22:00", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 28, 21));
    expect(nextLocalTime(Date.UTC(2026, 2, 29, 12), "22:00", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 20));
  });
});
