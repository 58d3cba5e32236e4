/** Chooses each VM's Proxmox node by free memory (issue 14.9), or refuses with the numbers before anything is cloned. */
import type { NodeStatus } from "./proxmox-api.ts";

export type PlacementResult = { ok: true; placement: string[] } | { ok: false; message: string };

/**
 * Greedy: each VM, control plane first, goes to the allowed online node with
 * the most memory left after the VMs placed before it (ties: the order of
 * infra.proxmox.nodes). Proxmox's free memory is a snapshot: other VMs may
 * start meanwhile, so it is a placement hint and a guard against the plainly
 * impossible, not a reservation.
 */
export function placeByFreeMemory(vmNames: string[], memoryMb: number, allowed: string[], status: NodeStatus[]): PlacementResult {
  const byName = new Map(status.map((s) => [s.node, s]));
  const left = new Map<string, number>();
  for (const n of allowed) {
    const s = byName.get(n);
    if (s?.online) left.set(n, s.memFreeMb);
  }
  const placement: string[] = [];
  for (const vm of vmNames) {
    let best: string | undefined;
    for (const [n, free] of left) if (free >= memoryMb && (best === undefined || free > left.get(best)!)) best = n;
    if (best === undefined) return { ok: false, message: refusal(vm, memoryMb, allowed, byName, left, placement.length) };
    left.set(best, left.get(best)! - memoryMb);
    placement.push(best);
  }
  return { ok: true, placement };
}

function refusal(vm: string, memoryMb: number, allowed: string[], byName: Map<string, NodeStatus>, left: Map<string, number>, placed: number): string {
  const parts = allowed.map((n) => {
    const s = byName.get(n);
    if (!s) return `${n}: not in the Proxmox cluster`;
    if (!s.online) return `${n}: offline`;
    return `${n}: ${left.get(n)} MiB free of ${s.memTotalMb}`;
  });
  const after = placed > 0 ? ` after placing the cluster's first ${placed} VM(s)` : "";
  return `no Proxmox node has room for ${vm} (${memoryMb} MiB)${after}: ${parts.join("; ")}. Pick a smaller size, fewer workers, or free memory on a node`;
}
