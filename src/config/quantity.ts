/** Kubernetes resource quantities as labforge accepts them in namespace_defaults: CPU (`500m`, `2`) and bytes (`512Mi`, `20Gi`). */
import { z } from "zod";

const CPU_RE = /^([0-9]+(?:\.[0-9]{1,3})?)(m?)$/;
const BYTES_RE = /^([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const BYTE_UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Millicores of a CPU quantity (`500m` → 500, `1.5` → 1500); undefined when it is not one. */
export function cpuMillis(q: string): number | undefined {
  const m = CPU_RE.exec(q);
  if (!m) return undefined;
  return m[2] === "m" ? (m[1]!.includes(".") ? undefined : Number(m[1])) : Math.round(Number(m[1]) * 1000);
}

/** Bytes of a memory or storage quantity (`512Mi`, `2G`); undefined when it is not one. */
export function bytesOf(q: string): number | undefined {
  const m = BYTES_RE.exec(q);
  return m ? Number(m[1]) * BYTE_UNITS[m[2] ?? ""]! : undefined;
}

// YAML reads `cpu: 2` as a number; Kubernetes wants the string.
const asText = z.union([z.string(), z.number()]).transform(String);

/** A positive CPU quantity such as `500m` or `2`. */
export const cpuQuantity = asText.refine((s) => (cpuMillis(s) ?? 0) > 0, "expected a CPU quantity like 500m or 2");

/** A positive memory or storage quantity such as `512Mi` or `20Gi`. */
export const bytesQuantity = asText.refine((s) => (bytesOf(s) ?? 0) > 0, "expected a quantity like 512Mi or 20Gi");
