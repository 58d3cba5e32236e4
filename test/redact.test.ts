import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { Redactor } from "../src/util/redact.ts";
import { createLogger } from "../src/log.ts";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";

describe("secret redaction", () => {
  it("removes registered secrets and secret-shaped text", () => {
    const r = new Redactor();
    r.add("hunter2-proxmox-secret");
    const text = [
      "token=hunter2-proxmox-secret",
      "auth xoxb-1234-5678-abcdef and xapp-1-A0-123",
      KEY,
      "    client-key-data: LS0tLS1CRUdJTiBSU0E=",
      "PVEAPIToken=labforge@pve!bot=3f6c1d2e-1111-2222-3333-444455556666",
    ].join("\n");
    const out = r.redact(text);
    for (const secret of ["hunter2-proxmox-secret", "xoxb-1234", "xapp-1-A0", "b3BlbnNzaC1rZXktdjEAAAAA", "LS0tLS1CRUdJTiBSU0E=", "3f6c1d2e-1111"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("[redacted private key]");
  });

  it("keeps secrets out of log lines, by key and by value", () => {
    const lines: string[] = [];
    const r = new Redactor();
    r.add("xoxb-live-token-value");
    const log = createLogger("info", r, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }) as never);
    log.info({ req: { token: "abc123456789" }, kubeconfig: "apiVersion: v1" }, "calling with xoxb-live-token-value");
    log.error({ err: new Error(`ssh failed:\n${KEY}`) }, "step failed");
    const all = lines.join("");
    expect(all).not.toContain("xoxb-live-token-value");
    expect(all).not.toContain("abc123456789");
    expect(all).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(all).not.toContain("apiVersion: v1");
    expect(() => lines.forEach((l) => JSON.parse(l))).not.toThrow();
  });
});
