/** Starts a real OpenSSH server on loopback addresses for tests: key-only, its own host key and config, run as a plain user. */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { basename, join } from "node:path";

export const SSHD_BIN = "/usr/sbin/sshd";
/** The plain user tests log in as when they run as root (root's shell start-up is slow and root logins are off). */
export const TEST_USER = "labforge-test";

export interface SshUser { name: string; uid: number; gid: number; home: string }

export interface SshdOptions {
  /** OpenSSH public key lines allowed to log in. */
  authorizedKeys: string[];
  /** Loopback addresses to listen on (all of 127.0.0.0/8 is local on Linux); default 127.0.0.1. */
  addresses?: string[];
  /** Executables copied into a directory that comes first on the session's PATH (e.g. the kubectl stand-in). */
  bin?: string[];
  /** Extra environment for every session (sshd's SetEnv). */
  env?: Record<string, string>;
}

export interface Sshd {
  port: number;
  addresses: string[];
  user: SshUser;
  /** Owned by the login user: sessions may write here (LABFORGE_TEST_SHARE in their environment). */
  share: string;
  /** The current host public key line ("ssh-ed25519 AAAA…"). */
  hostKey(): string;
  /** Restarts on the same port, with a new host key when asked (to test host-key pinning). */
  restart(opts?: { newHostKey?: boolean }): Promise<void>;
  /** Stops sshd and removes its files. */
  stop(): Promise<void>;
}

/** Why sshd tests cannot run here, or undefined when they can (creates the test user when running as root). */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD_BIN)) return `${SSHD_BIN} is missing: install openssh-server (apt-get install -y openssh-server)`;
  if (process.getuid?.() === 0) {
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    try { ensureTestUser(); } catch (e) { return `cannot create the test user ${TEST_USER}: ${(e as Error).message}`; }
    return undefined;
  }
  if (!existsSync("/run/sshd")) return "/run/sshd (sshd's privilege separation directory) is missing and only root can create it";
  return undefined;
}

/** The user sessions run as: TEST_USER when root, else the current user. */
export function loginUser(): SshUser {
  if (process.getuid?.() !== 0) {
    const u = userInfo();
    return { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir };
  }
  const [uid, gid, home] = execFileSync("sh", ["-c", `id -u ${TEST_USER}; id -g ${TEST_USER}; getent passwd ${TEST_USER} | cut -d: -f6`], { encoding: "utf8" }).trim().split("\n");
  return { name: TEST_USER, uid: Number(uid), gid: Number(gid), home: home! };
}

function ensureTestUser(): void {
  try { execFileSync("id", ["-u", TEST_USER], { stdio: "ignore" }); return; } catch { /* create it below */ }
  execFileSync("useradd", ["-m", "-s", "/bin/sh", TEST_USER], { stdio: "ignore" });
  // useradd leaves the password locked ("!"), and sshd without PAM refuses locked accounts even for keys.
  execFileSync("usermod", ["-p", "*", TEST_USER], { stdio: "ignore" });
}

/** A TCP port that is free on every address right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "0.0.0.0", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts sshd (call sshdUnavailable() first and skip when it returns a reason). */
export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  const user = loginUser();
  const dir = mkdtempSync(join(tmpdir(), "labforge-sshd-"));
  chmodSync(dir, 0o755); // sshd reads authorized_keys as the login user
  const binDir = join(dir, "bin");
  const share = join(dir, "share");
  mkdirSync(binDir, { mode: 0o755 });
  mkdirSync(share, { mode: 0o755 });
  chownSync(share, user.uid, user.gid);
  for (const file of opts.bin ?? []) {
    copyFileSync(file, join(binDir, basename(file)));
    chmodSync(join(binDir, basename(file)), 0o755);
  }
  writeFileSync(join(dir, "authorized_keys"), opts.authorizedKeys.join("\n") + "\n", { mode: 0o644 });
  const addresses = opts.addresses ?? ["127.0.0.1"];
  let hostPub = writeHostKey(dir);
  let port = await freePort();
  const env = { PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin`, LABFORGE_TEST_SHARE: share, ...opts.env };
  const config = (p: number) => [
    `Port ${p}`, ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${join(dir, "host_ed25519")}`, "PidFile none",
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
    "UsePAM no", "StrictModes no", "PermitRootLogin no", `AllowUsers ${user.name}`,
    "MaxStartups 64", "MaxSessions 64", "LogLevel VERBOSE", "Subsystem sftp internal-sftp",
    // The post-quantum default key exchange costs ~70 ms per connection on a busy
    // two-core machine, and ansible without ControlMaster connects once per task.
    "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
    `SetEnv ${Object.entries(env).map(([k, v]) => `${k}="${v}"`).join(" ")}`,
  ].join("\n") + "\n";

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      writeFileSync(join(dir, "sshd_config"), config(port), { mode: 0o600 });
      try {
        child = await spawnSshd(join(dir, "sshd_config"), addresses.length);
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        port = await freePort(); // someone took the port between the probe and sshd's bind
      }
    }
  };
  await launch();

  const stopChild = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    await exited;
  };

  return {
    get port() { return port; },
    addresses, user, share,
    hostKey: () => hostPub,
    restart: async (o = {}) => {
      await stopChild();
      if (o.newHostKey) hostPub = writeHostKey(dir);
      const before = port;
      await launch();
      if (port !== before) throw new Error(`sshd could not get its port ${before} back`);
    },
    stop: async () => {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh host key made by OpenSSH's own ssh-keygen: ssh2's generator writes one sshd cannot load about once in 250. */
function writeHostKey(dir: string): string {
  const file = join(dir, "host_ed25519");
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", file], { stdio: "ignore" });
  return readFileSync(`${file}.pub`, "utf8").trim();
}

/** Spawns `sshd -D -e -f cfg` and resolves once it listens (rejects with its stderr when it exits). */
function spawnSshd(configFile: string, listeners: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSHD_BIN, ["-D", "-e", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    const onData = (d: Buffer) => {
      err += d.toString();
      if ((err.match(/Server listening on/g) ?? []).length >= listeners) {
        child.stderr!.off("data", onData);
        child.stderr!.resume(); // keep draining so sshd never blocks on a full pipe
        resolve(child);
      }
    };
    child.stderr!.on("data", onData);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`sshd exited with ${code}: ${err.trim()}`)));
  });
}
