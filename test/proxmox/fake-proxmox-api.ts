/**
 * A stand-in for the few Proxmox VE API reads the driver makes (Proxmox is
 * the one part this machine does not have): HTTPS with a throwaway
 * self-signed certificate (the driver runs with insecure: true), the
 * PVEAPIToken header checked, answers shaped like PVE 8/9's.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { join } from "node:path";

export interface FakeVm { vmid: number; node: string; hostKey?: string; agentDown?: boolean }
export interface FakeNode { node: string; online?: boolean; memMb: number; maxMemMb: number }

export interface FakeProxmoxApi {
  endpoint: string;
  nodes: FakeNode[];
  vms: FakeVm[];
  /** Every request's method and path (with query), in order. */
  requests: string[];
  /** Answer everything with this status (e.g. 403) while set. */
  forceStatus?: number;
  stop(): Promise<void>;
}

/** Starts the fake on 127.0.0.1; `authorization` is the exact header value it accepts. */
export async function startFakeProxmoxApi(dir: string, authorization: string): Promise<FakeProxmoxApi> {
  const key = join(dir, "pve.key");
  const cert = join(dir, "pve.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=pve-fake", "-keyout", key, "-out", cert], { stdio: "ignore" });
  const api: FakeProxmoxApi = { endpoint: "", nodes: [], vms: [], requests: [], stop: async () => {} };
  const MiB = 1024 * 1024;
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    api.requests.push(`${req.method} ${req.url}`);
    const send = (status: number, data: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(status === 200 ? { data } : { data: null, message: String(data) }));
    };
    if (req.headers.authorization !== authorization) return send(401, "authentication failure");
    if (api.forceStatus) return send(api.forceStatus, "Permission check failed");
    const url = new URL(req.url ?? "/", "https://x");
    if (url.pathname === "/api2/json/nodes") {
      return send(200, api.nodes.map((n) => ({ node: n.node, status: n.online === false ? "offline" : "online", mem: n.memMb * MiB, maxmem: n.maxMemMb * MiB, type: "node" })));
    }
    if (url.pathname === "/api2/json/cluster/resources" && url.searchParams.get("type") === "vm") {
      return send(200, api.vms.map((v) => ({ vmid: v.vmid, node: v.node, type: "qemu", status: "running", id: `qemu/${v.vmid}` })));
    }
    const m = /^\/api2\/json\/nodes\/([a-z0-9-]+)\/qemu\/(\d+)\/agent\/file-read$/.exec(url.pathname);
    if (m) {
      const vm = api.vms.find((v) => v.vmid === Number(m[2]) && v.node === m[1]);
      if (!vm || vm.agentDown) return send(500, "QEMU guest agent is not running");
      if (url.searchParams.get("file") !== "/etc/ssh/ssh_host_ed25519_key.pub" || !vm.hostKey) return send(500, "No such file or directory");
      return send(200, { content: `${vm.hostKey} root@${m[1]}\n`, "bytes-read": vm.hostKey.length + 1 });
    }
    send(501, `not faked: ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.endpoint = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
  api.stop = () => new Promise((r) => server.close(() => r()));
  return api;
}
