/** Durations as users type them: 30m, 12h, 7d, 2w. */

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^([1-9][0-9]{0,4})([mhdw])$/;

/** Parses `30m`, `12h`, `7d`, `2w` into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Formats milliseconds in the largest whole unit (`14d`, `36h`, `90m`). */
export function formatDuration(ms: number): string {
  for (const unit of ["w", "d", "h"] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.max(1, Math.round(ms / UNIT_MS.m))}m`;
}

/** Human phrase for a span, rounded: "3 days", "5 hours", "12 minutes". */
export function describeSpan(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < UNIT_MS.m) return "less than a minute";
  const [n, unit] =
    abs >= UNIT_MS.d * 2 ? [Math.round(abs / UNIT_MS.d), "day"]
    : abs >= UNIT_MS.h * 2 ? [Math.round(abs / UNIT_MS.h), "hour"]
    : [Math.max(1, Math.round(abs / UNIT_MS.m)), "minute"];
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export const DURATION_HINT = "a duration like 30m, 12h, 7d or 2w";
