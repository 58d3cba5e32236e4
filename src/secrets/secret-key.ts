/** The key that encrypts kubeconfigs at rest: LABFORGE_SECRET_KEY, or one generated once into the data dir (mode 0600). */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync, existsSync, chmodSync } from "node:fs";
import { join } from "node:path";

/** Returns the 32-byte key: from the hex string given, else from `<dataDir>/secret.key`, creating it when absent. */
export function loadSecretKey(dataDir: string, fromEnv?: string): Buffer {
  if (fromEnv) return Buffer.from(fromEnv, "hex");
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) {
    const hex = readFileSync(file, "utf8").trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} is not a 64-hex-character key; restore it from backup or remove it (stored kubeconfigs will then be unreadable)`);
    chmodSync(file, 0o600);
    return Buffer.from(hex, "hex");
  }
  const key = randomBytes(32);
  // "wx": never overwrite a key another process wrote meanwhile.
  writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return key;
}
