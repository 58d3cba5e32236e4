/** The bot's key pair is always readable: ssh2 sometimes generates an ed25519 key it cannot parse back, and labforge retries. */
import { describe, expect, it } from "vitest";
import ssh2 from "ssh2";
import { loadOrCreateKeyPair } from "../../src/provisioning/proxmox/ssh-keys.ts";
import { tempDir } from "./support.ts";

describe("loadOrCreateKeyPair", () => {
  it("generates a parsable key every time (400 fresh data dirs; ssh2 alone fails about 1 in 250)", async () => {
    const tmp = tempDir("keys");
    try {
      for (let i = 0; i < 400; i++) {
        const k = await loadOrCreateKeyPair(`${tmp.dir}/${i}`);
        expect(ssh2.utils.parseKey(k.privateKey) instanceof Error).toBe(false);
      }
    } finally { tmp.remove(); }
  }, 60_000);
});
