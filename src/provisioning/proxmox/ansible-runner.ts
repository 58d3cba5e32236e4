/** Runs the playbook against a cluster's nodes with the workspace's inventory, the bot's key and the pinned host keys. */
import { join } from "node:path";
import { StepError, type ClusterSpec, type NodeInfo, type StepContext } from "../driver.ts";
import { AnsibleEvents } from "./ansible-events.ts";
import { childEnv } from "./child-env.ts";
import { extraVars, inventory } from "./inventory.ts";
import { LogTail } from "./log-tail.ts";
import type { ResolvedOptions } from "./options.ts";
import { runTree } from "./process-tree.ts";
import { HostKeyError } from "./ssh-client.ts";
import type { SshKeyPair } from "./ssh-keys.ts";
import { writeFileAtomic } from "./workspace-files.ts";

/** ssh's words when the known_hosts check refuses a host. */
const HOST_KEY_REFUSED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No [A-Z0-9-]+ host key is known/i;

/** The ssh options ansible's connections use: our key only, our known_hosts only, strict checking, no multiplexing. */
export function ansibleSshArgs(knownHostsPath: string): string {
  // resolveOptions refused data dirs with blanks or quotes: ssh would split this value.
  return [
    "-F /dev/null", "-o ControlMaster=no", "-o IdentitiesOnly=yes", "-o BatchMode=yes", "-o PasswordAuthentication=no",
    `-o UserKnownHostsFile=${knownHostsPath}`, "-o GlobalKnownHostsFile=/dev/null", "-o StrictHostKeyChecking=yes",
    "-o ServerAliveInterval=15", "-o ServerAliveCountMax=4",
  ].join(" ");
}

/** Writes inventory.yml and ansible-vars.json into the workspace and runs ansible-playbook; throws a StepError on failure. */
export async function runPlaybook(o: ResolvedOptions, key: SshKeyPair, ws: string, spec: ClusterSpec, nodes: NodeInfo[], ctx: StepContext): Promise<AnsibleEvents> {
  const inv = join(ws, "inventory.yml");
  const vars = join(ws, "ansible-vars.json");
  await writeFileAtomic(inv, inventory(nodes, o.proxmox.ssh_user, o.sshPort));
  await writeFileAtomic(vars, JSON.stringify(extraVars(spec, nodes, key.privateKeyPath), null, 2) + "\n");
  const tail = new LogTail(o.redactor);
  const events = new AnsibleEvents({
    progress: (d) => ctx.progress(d),
    log: (l) => ctx.log(tail.add(l)),
  });
  const { exitCode } = await runTree(o.ansiblePlaybookBin, [o.playbook, "-i", inv, "-e", `@${vars}`], {
    cwd: ws, signal: ctx.signal, killAfterMs: o.killAfterMs, pidFile: join(ws, ".labforge-ansible.pid"),
    env: childEnv({
      ...o.env,
      ANSIBLE_CONFIG: o.ansibleConfig,
      ANSIBLE_SSH_ARGS: ansibleSshArgs(join(ws, "known_hosts")),
      ANSIBLE_HOST_KEY_CHECKING: "True",
      ANSIBLE_STDOUT_CALLBACK: "default", ANSIBLE_NOCOLOR: "1", ANSIBLE_FORCE_COLOR: "0",
      ANSIBLE_RETRY_FILES_ENABLED: "False", PYTHONUNBUFFERED: "1",
    }),
    onStdout: (l) => { o.log?.debug({ tool: "ansible" }, o.redactor.redact(l)); events.line(l); },
    onStderr: (l) => { if (l.trim()) ctx.log(tail.add(l)); },
  });
  if (exitCode === 0) return events;
  const refused = events.failures.filter((f) => f.status === "unreachable" && HOST_KEY_REFUSED.test(f.text));
  if (refused.length > 0) {
    throw new HostKeyError(`ssh refused the host key of node ${refused.map((f) => f.host).join(", ")}: it differs from the key pinned when the node first answered. If the VM was rebuilt on purpose, delete its line from the workspace's known_hosts`, tail.all());
  }
  const first = events.failures[0];
  const where = first ? `: ${first.status === "unreachable" ? "could not reach" : "failed on"} ${first.host} at “${first.task}”` : "";
  throw new StepError(`the playbook failed${where} (exit ${exitCode})`, tail.all());
}
