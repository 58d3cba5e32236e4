/** Wall-clock time in an IANA time zone, with Intl only: reading a moment's local parts and finding the moment of local parts. */

export interface LocalParts {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is a time zone Intl knows. */
export function isTimeZone(tz: string): boolean {
  try { formatter(tz); return true; } catch { return false; }
}

/** The local date and time of moment `ms` in `tz`. */
export function localParts(ms: number, tz: string): LocalParts {
  const parts = Object.fromEntries(formatter(tz).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/** How far `tz` is ahead of UTC at moment `ms`, in milliseconds (to the minute). */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/**
 * The moment whose local time in `tz` is the given date and time. A time skipped by a DST change moves forward
 * by the gap (02:30 on a spring-forward night is 03:30); a repeated one is its first occurrence.
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The zone's offsets half a day either side cover any change that night (zones change at most once a day).
  const before = wall - offsetAt(wall - 43_200_000, tz);
  const after = wall - offsetAt(wall + 43_200_000, tz);
  const real = [before, after].filter((t) => t + offsetAt(t, tz) === wall);
  // Both real: the wall time repeats, take the first. Neither: it was skipped, so the offset from before applies.
  return real.length > 0 ? Math.min(...real) : before;
}

/** A moment as people read it in chat, in the tenant's zone: `Tue 2026-12-08 14:00 Europe/Berlin`. */
export function formatZoned(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${WEEKDAYS[p.weekday]} ${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} ${tz}`;
}

/**
 * The first moment strictly after `after` at which the clock in `tz` shows `hhmm` ("22:00"); on a night that skips
 * that time, the moment the clocks jump past it (auto-stop's `at:`).
 */
export function nextLocalTime(after: number, hhmm: string, tz: string): number {
  const [h, mi] = hhmm.split(":").map(Number) as [number, number];
  const today = localParts(after, tz);
  for (let day = 0; day <= 2; day++) {
    // Date.UTC normalises day overflow (the 32nd is the 1st of next month), and localParts reads it back.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + day));
    const t = zonedToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), h, mi, tz);
    if (t > after) return t;
  }
  throw new Error(`no ${hhmm} in ${tz} within two days of ${new Date(after).toISOString()}`);
}
