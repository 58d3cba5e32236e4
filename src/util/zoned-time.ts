/** Wall-clock times in a tenant's IANA time zone, with Intl only (no time-zone library). */

const formats = new Map<string, Intl.DateTimeFormat>();

function partsAt(tz: string, t: number): { y: number; mo: number; d: number; h: number; mi: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formats.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]));
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute! };
}

/** The zone's offset from UTC at instant `t`, in milliseconds (positive east of Greenwich), to the minute. */
function offsetAt(tz: string, t: number): number {
  const p = partsAt(tz, t);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi) - Math.floor(t / 60_000) * 60_000;
}

/**
 * The first instant strictly after `after` at which the clock in `tz` shows `hhmm` ("22:00"). On a day when that
 * time does not exist (a spring-forward gap) it is the instant the clocks jump past it.
 */
export function nextLocalTime(after: number, hhmm: string, tz: string): number {
  const [h, mi] = hhmm.split(":").map(Number) as [number, number];
  const today = partsAt(tz, after);
  for (let day = 0; day <= 2; day++) {
    const wall = Date.UTC(today.y, today.mo - 1, today.d + day, h, mi);
    // Two rounds settle the offset for the guessed instant, including across a change of offset.
    let t = wall - offsetAt(tz, wall);
    t = wall - offsetAt(tz, t);
    if (t > after) return t;
  }
  throw new Error(`no ${hhmm} in ${tz} within two days of ${new Date(after).toISOString()}`);
}
