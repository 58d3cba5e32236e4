/**
 * The few Proxmox VE API reads the driver makes itself (terraform does the
 * rest): node memory for placement, where a VM runs, and a file read through
 * the QEMU guest agent for the node's SSH host key. The token travels in the
 * Authorization header only; response bodies are parsed, never logged.
 */
import { request as httpsRequest } from "node:https";
import { StepError } from "../driver.ts";

export interface NodeStatus { node: string; online: boolean; memFreeMb: number; memTotalMb: number }

export interface ProxmoxApi {
  /** Every Proxmox node with its memory (GET /nodes). */
  nodes(signal?: AbortSignal): Promise<NodeStatus[]>;
  /** The Proxmox node a VM runs on, or undefined when no VM has that id (GET /cluster/resources). */
  nodeOfVm(vmid: number, signal?: AbortSignal): Promise<string | undefined>;
  /** A file's text read by the guest agent; undefined while the agent (or the file) is not there yet. */
  readGuestFile(node: string, vmid: number, path: string, signal?: AbortSignal): Promise<string | undefined>;
}

/** An API failure that waiting will not fix (refused token, missing privilege). */
export class ProxmoxApiRefused extends StepError {}

export interface ApiOptions {
  endpoint: string;
  tokenId: string;
  tokenSecret: string;
  insecure: boolean;
  timeoutMs?: number;
}

interface Reply { status: number; body: string }

const MiB = 1024 * 1024;
const NODE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const GUEST_PATH = /^\/[A-Za-z0-9._/-]+$/;

/** A client for infra.proxmox.endpoint, authenticated with the bot's API token. */
export function proxmoxApi(o: ApiOptions): ProxmoxApi {
  const base = new URL("/api2/json/", o.endpoint);
  const get = (path: string, signal?: AbortSignal): Promise<Reply> => new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = httpsRequest(url, {
      method: "GET", rejectUnauthorized: !o.insecure, timeout: o.timeoutMs ?? 15_000, signal,
      headers: { Authorization: `PVEAPIToken=${o.tokenId}=${o.tokenSecret}`, Accept: "application/json" },
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { if (body.length < 1_000_000) body += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${(o.timeoutMs ?? 15_000) / 1000} s`)));
    req.on("error", (e) => reject(new StepError(`the Proxmox API at ${base.origin} could not be reached: ${e.message}`)));
    req.end();
  });
  const data = (r: Reply, what: string): unknown => {
    if (r.status === 401) throw new ProxmoxApiRefused(`the Proxmox API refused the token ${o.tokenId} (401) while ${what}: check PROXMOX_TOKEN_SECRET`);
    if (r.status === 403) throw new ProxmoxApiRefused(`the token ${o.tokenId} lacks the privilege for ${what} (403): grant it as docs/infrastructure.md lists`);
    if (r.status !== 200) throw new StepError(`the Proxmox API answered ${r.status} while ${what}`);
    try { return (JSON.parse(r.body) as { data?: unknown }).data; } catch { throw new StepError(`the Proxmox API sent no JSON while ${what}`); }
  };

  return {
    async nodes(signal) {
      const list = data(await get("nodes", signal), "listing nodes (Sys.Audit)");
      if (!Array.isArray(list)) throw new StepError("the Proxmox API's node list is not a list");
      return list.flatMap((n: { node?: unknown; status?: unknown; mem?: unknown; maxmem?: unknown }) => {
        if (typeof n.node !== "string" || !NODE_NAME.test(n.node)) return [];
        const total = typeof n.maxmem === "number" ? n.maxmem : 0;
        const used = typeof n.mem === "number" ? n.mem : total;
        return [{ node: n.node, online: n.status === "online", memFreeMb: Math.max(0, Math.floor((total - used) / MiB)), memTotalMb: Math.floor(total / MiB) }];
      });
    },
    async nodeOfVm(vmid, signal) {
      const list = data(await get("cluster/resources?type=vm", signal), "listing VMs (VM.Audit)");
      const vm = Array.isArray(list) ? list.find((r: { vmid?: unknown }) => r.vmid === vmid) as { node?: unknown } | undefined : undefined;
      return typeof vm?.node === "string" && NODE_NAME.test(vm.node) ? vm.node : undefined;
    },
    async readGuestFile(node, vmid, path, signal) {
      if (!NODE_NAME.test(node) || !Number.isInteger(vmid) || !GUEST_PATH.test(path)) throw new Error(`refusing to read ${path} on ${node}/${vmid}`);
      const r = await get(`nodes/${node}/qemu/${vmid}/agent/file-read?file=${encodeURIComponent(path)}`, signal);
      // 500 is how Proxmox says "QEMU guest agent is not running" or "No such file": both pass while the VM boots.
      if (r.status === 500) return undefined;
      const d = data(r, `reading ${path} through the guest agent of VM ${vmid} (VM.GuestAgent.FileRead on PVE 9, VM.Monitor on PVE 8)`) as { content?: unknown } | undefined;
      return typeof d?.content === "string" ? d.content : undefined;
    },
  };
}
