/**
 * A workspace's known_hosts: each node's host key, bound to its VM id, in
 * OpenSSH format so ansible's ssh checks it too. Pinned before first contact
 * from the key the VM reported through the QEMU guest agent (`from=agent`),
 * or, with host_keys: first_contact, when the node first answers.
 */
import { readFile } from "node:fs/promises";
import type { NodeInfo } from "../driver.ts";
import { writeFileAtomic } from "./workspace-files.ts";

interface Pin { type: string; key: string; vmid: number | undefined; fromAgent?: boolean }

/** "impostor": the key differs from the one the VM itself reported through the guest agent. */
export type HostKeyVerdict = "match" | "learned" | "changed" | "unknown" | "impostor";

/** Splits one OpenSSH public key line ("ssh-ed25519 AAAA… comment") into type and base64 key; undefined when it is not one. */
export function parsePublicKeyLine(line: string): { type: string; key: string } | undefined {
  const m = /^(ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|ssh-rsa) ([A-Za-z0-9+/]+={0,3})(?:\s.*)?$/.exec(line.trim());
  if (!m) return undefined;
  // The blob names its own type: a line whose two halves disagree is not a key.
  return blobType(Buffer.from(m[2]!, "base64")) === m[1] ? { type: m[1]!, key: m[2]! } : undefined;
}

/** The host pattern OpenSSH uses for an address and port. */
export function hostPattern(ip: string, port: number): string {
  return port === 22 ? ip : `[${ip}]:${port}`;
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
function blobType(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString("latin1");
}

export class KnownHosts {
  private readonly pins = new Map<string, Pin>();
  private dirty = false;

  private constructor(readonly path: string) {}

  /** Reads the file (a missing file is an empty one). */
  static async load(path: string): Promise<KnownHosts> {
    const kh = new KnownHosts(path);
    const text = await readFile(path, "utf8").catch(() => "");
    for (const line of text.split("\n")) {
      const [pattern, type, key, ...comment] = line.trim().split(/\s+/);
      if (!pattern || !type || !key || pattern.startsWith("#")) continue;
      const vmid = /(?:^|\s)vmid=(\d+)/.exec(comment.join(" "))?.[1];
      const fromAgent = /(?:^|\s)from=agent(?:\s|$)/.test(comment.join(" "));
      kh.pins.set(pattern, { type, key, vmid: vmid === undefined ? undefined : Number(vmid), ...(fromAgent ? { fromAgent } : {}) });
    }
    return kh;
  }

  /**
   * Checks a presented host key. With `learn`, an address seen for the first
   * time is pinned, and so is one whose VM terraform replaced (new vmid: a new
   * VM has a new key). A different key for the same VM is always "changed".
   */
  check(node: NodeInfo, port: number, blob: Buffer, learn: boolean): HostKeyVerdict {
    const pattern = hostPattern(node.ip, port);
    const presented = { type: blobType(blob), key: blob.toString("base64"), vmid: node.vmid };
    const pin = this.pins.get(pattern);
    if (pin && pin.type === presented.type && pin.key === presented.key) return "match";
    if (pin?.fromAgent && pin.vmid === node.vmid) return "impostor";
    if (pin && (pin.vmid === node.vmid || !learn)) return "changed";
    if (!learn) return "unknown";
    this.pins.set(pattern, presented);
    this.dirty = true;
    return "learned";
  }

  /** Whether this node's VM (same address and VM id) has a pinned key. */
  hasPinFor(node: NodeInfo, port: number): boolean {
    return this.pins.get(hostPattern(node.ip, port))?.vmid === node.vmid;
  }

  /** Pins the key a VM reported through the guest agent, before anything is asked of the address. */
  pinFromAgent(node: NodeInfo, port: number, key: { type: string; key: string }): void {
    this.pins.set(hostPattern(node.ip, port), { ...key, vmid: node.vmid, fromAgent: true });
    this.dirty = true;
  }

  /** Writes the file if something was learned. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const lines = [...this.pins].map(([p, k]) => `${p} ${k.type} ${k.key}${k.vmid === undefined ? "" : ` vmid=${k.vmid}`}${k.fromAgent ? " from=agent" : ""}`);
    await writeFileAtomic(this.path, lines.join("\n") + "\n");
    this.dirty = false;
  }
}
