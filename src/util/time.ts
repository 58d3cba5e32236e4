/** Timestamps as users read them in chat: UTC, to the minute. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}
