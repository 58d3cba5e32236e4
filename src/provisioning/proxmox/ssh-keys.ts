/** The bot's SSH key pair: ed25519, generated once into `<data dir>/ssh/`, private half mode 0600 in OpenSSH format. */
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type Ssh2 from "ssh2";
import { ssh2 } from "./ssh2-lazy.ts";

export interface SshKeyPair {
  /** Path of the private key, for ansible (ssh -i). */
  privateKeyPath: string;
  /** The private key itself, for ssh2; never logged. */
  privateKey: Buffer;
  /** One OpenSSH public key line for the module's ssh_public_key. */
  publicKey: string;
}

/** Returns the key pair, generating it on first use; concurrent callers end up with the same key. */
export async function loadOrCreateKeyPair(dataDir: string): Promise<SshKeyPair> {
  const dir = join(dataDir, "ssh");
  const privateKeyPath = join(dir, "id_ed25519");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let privateKey = await readFile(privateKeyPath).catch(() => undefined);
  if (!privateKey) {
    // OpenSSH format ("BEGIN OPENSSH PRIVATE KEY"), which ssh (under ansible) and ssh2 both read.
    const pair = generateParsable();
    const tmp = `${privateKeyPath}.tmp-${randomBytes(4).toString("hex")}`;
    await writeFile(tmp, pair.private, { mode: 0o600 });
    // link() never replaces: if another caller won the race, keep theirs.
    await link(tmp, privateKeyPath).catch((e: NodeJS.ErrnoException) => { if (e.code !== "EEXIST") throw e; });
    await rm(tmp, { force: true });
    privateKey = await readFile(privateKeyPath);
  }
  const parsed = ssh2().utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`${privateKeyPath} is not a usable private key; move it away to have a new one generated`);
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString("base64")} labforge`;
  await writeFile(`${privateKeyPath}.pub`, publicKey + "\n", { mode: 0o644 });
  return { privateKeyPath, privateKey, publicKey };
}

/**
 * An ed25519 pair whose private half ssh2 can read back: ssh2's generateKeyPairSync writes an unreadable
 * ("Malformed OpenSSH private key") one about once in 250 tries, which would then block every later start.
 */
function generateParsable(): { private: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2().utils.generateKeyPairSync("ed25519", { comment: "labforge" });
    if (!(ssh2().utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error("could not generate a readable ed25519 key pair");
}
