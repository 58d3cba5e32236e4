/** IPv4 arithmetic on 32-bit unsigned integers. */

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
export const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Converts dotted quad to an unsigned 32-bit number; undefined when malformed. */
export function ipToInt(ip: string): number | undefined {
  if (!IPV4.test(ip)) return undefined;
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Converts an unsigned 32-bit number back to a dotted quad. */
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** True when both addresses share the first `prefix` bits. */
export function sameSubnet(a: number, b: number, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** Parses `10.0.0.10-10.0.0.50` into its first and last address as numbers. */
export function parseRange(range: string): { first: number; last: number } | undefined {
  const [a, b, extra] = range.split("-").map((s) => s.trim());
  if (a === undefined || b === undefined || extra !== undefined) return undefined;
  const first = ipToInt(a);
  const last = ipToInt(b);
  if (first === undefined || last === undefined || last < first) return undefined;
  return { first, last };
}
