/** The environment terraform and ansible-playbook run with: a short allow-list, never the bot's own secrets. */

/**
 * Variables passed through from the bot's environment. Everything else (chat
 * tokens, PROXMOX_TOKEN_SECRET, SSH_AUTH_SOCK …) stays behind: a local-exec
 * provisioner or an Ansible lookup could otherwise read it.
 */
const PASS_THROUGH = [
  "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR",
  "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "TF_CLI_CONFIG_FILE",
];

/** Builds a child environment from the allow-list plus `extra` (later keys win). */
export function childEnv(extra: Record<string, string | undefined>, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  // Ansible refuses to start without a UTF-8 locale.
  if (!/utf-?8/i.test(env.LC_ALL ?? env.LANG ?? "")) env.LC_ALL = "C.UTF-8";
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
