/** `at=` values of class sessions: `+3h`, `tue 14:00` (or `tue-14:00`), `14:00`, `2026-12-08T14:00`, read in the tenant's zone. */
import { parseDuration } from "./duration.ts";
import { localParts, zonedToUtc } from "../util/local-time.ts";

export type StartSpec =
  | { kind: "relative"; ms: number }
  | { kind: "weekday"; weekday: number; hour: number; minute: number }
  | { kind: "clock"; hour: number; minute: number }
  | { kind: "date"; year: number; month: number; day: number; hour: number; minute: number };

export const START_HINT = "a time like tue 14:00, 2026-12-08T14:00, 14:00 or +3h";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FULL_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const CLOCK = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/;

/** Reads an `at=` value (syntax only); undefined when it is none of the accepted forms. */
export function parseStartSpec(text: string): StartSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t.startsWith("+")) {
    const ms = parseDuration(t.slice(1));
    return ms === undefined ? undefined : { kind: "relative", ms };
  }
  const clock = CLOCK.exec(t);
  if (clock) return { kind: "clock", hour: Number(clock[1]), minute: Number(clock[2]) };
  const day = /^([a-z]{3,9})[\s@-]+(\S+)$/.exec(t);
  if (day) {
    const weekday = DAYS.indexOf(day[1]!) >= 0 ? DAYS.indexOf(day[1]!) : FULL_DAYS.indexOf(day[1]!);
    const time = CLOCK.exec(day[2]!);
    return weekday >= 0 && time ? { kind: "weekday", weekday, hour: Number(time[1]), minute: Number(time[2]) } : undefined;
  }
  const date = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[t\s]([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(t);
  if (date) {
    const [year, month, dayOfMonth, hour, minute] = date.slice(1).map(Number) as [number, number, number, number, number];
    // Date.UTC rolls 2026-02-31 over to March; a date that does not exist is refused instead.
    const check = new Date(Date.UTC(year, month - 1, dayOfMonth));
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== dayOfMonth) return undefined;
    return { kind: "date", year, month, day: dayOfMonth, hour, minute };
  }
  return undefined;
}

/** The moment a spec names, seen from `now` in zone `tz`: a weekday or a bare time is its next occurrence after now. */
export function resolveStart(spec: StartSpec, now: number, tz: string): number {
  switch (spec.kind) {
    case "relative": return now + spec.ms;
    case "date": return zonedToUtc(spec.year, spec.month, spec.day, spec.hour, spec.minute, tz);
    case "clock":
    case "weekday": {
      const today = localParts(now, tz);
      for (let ahead = 0; ahead <= 7; ahead++) {
        // Calendar arithmetic on a UTC date, so month ends and DST nights need no care here.
        const d = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
        if (spec.kind === "weekday" && d.getUTCDay() !== spec.weekday) continue;
        const at = zonedToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), spec.hour, spec.minute, tz);
        if (at > now) return at;
      }
      throw new Error("unreachable: a weekday recurs within eight days");
    }
  }
}
