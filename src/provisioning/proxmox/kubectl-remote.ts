/** kubectl on the control plane over SSH: argv checked, every element single-quoted, run through sudo, with a deadline. */
import { z } from "zod";
import type { RemoteOptions } from "./options.ts";
import { shellJoin } from "./shell-quote.ts";

/**
 * One argv element: quoting makes anything else safe for the shell, but NUL
 * cannot cross an exec request and a newline has no business in a kubectl
 * argument (and would split the command in log lines).
 */
const arg = z.string().max(4096).refine((a) => !/[\0\n\r]/.test(a), "must not contain NUL or line breaks");
export const kubectlArgv = z.array(arg).min(1).max(200);
export const kubectlStdin = z.string().max(4 * 1024 * 1024).optional();

/** The remote command line for `argv`, or a message naming the first bad element. */
export function kubectlCommand(remote: RemoteOptions, argv: string[]): { command: string } | { error: string } {
  const r = kubectlArgv.safeParse(argv);
  if (!r.success) {
    const i = r.error.issues[0];
    return { error: `kubectl argument ${i?.path.join(".") || ""} rejected: ${i?.message ?? "invalid"}` };
  }
  return { command: shellJoin([...sudoPrefix(remote), remote.kubectl, "--kubeconfig", remote.adminKubeconfig, ...r.data]) };
}

/** `sudo -n --` when remote commands need root (-n: fail rather than wait for a password prompt). */
export function sudoPrefix(remote: RemoteOptions): string[] {
  return remote.sudo ? ["sudo", "-n", "--"] : [];
}
