// Finds Ansible tasks that would install a package or fetch something from
// the network. labforge's roles must do neither: everything is baked into the
// image by packer/ubuntu-2404-k8s.pkr.hcl.
import { parse } from "yaml";

/** One offending task: where it is and why it is refused. */
export interface ProvisionViolation {
  file: string;
  task: string;
  reason: string;
}

/** Modules that install packages or download, by their short name. */
export const FORBIDDEN_MODULES: ReadonlySet<string> = new Set([
  "apt", "apt_key", "apt_repository", "apt_rpm", "deb822_repository", "package",
  "dnf", "dnf5", "yum", "yum_repository", "zypper", "apk", "pacman", "snap",
  "pip", "pipx", "easy_install", "gem", "npm", "yarn", "cpanm", "homebrew",
  "get_url", "uri", "git", "subversion", "hg",
]);

// Programs that install or download, as a whole word of a command line
// ("apt-mark" is not "apt"; "/usr/bin/curl" is "curl").
const FORBIDDEN_COMMAND =
  /(?:^|[\s;&|(`/])(curl|wget|apt-get|apt|aptitude|dpkg\s+-i|pip3?|pipx|snap|dnf|yum|add-apt-repository|git\s+clone|npm\s+install)(?=$|[\s;&|)`])/m;
const URL = /\b(?:https?|ftp):\/\//i;
const COMMAND_MODULES = new Set(["command", "shell", "raw", "script"]);
const BLOCK_KEYS = ["block", "rescue", "always"] as const;
const PLAY_TASK_KEYS = ["pre_tasks", "tasks", "post_tasks", "handlers"] as const;

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** `ansible.builtin.apt` → `apt`; `community.general.snap` → `snap`. */
export function shortModuleName(key: string): string {
  return key.split(".").at(-1) ?? key;
}

/** The command line a command/shell/raw/script task runs, as one string. */
function commandText(value: unknown, task: Node): string {
  if (typeof value === "string") return value;
  const parts: unknown[] = [];
  for (const v of [value, task["args"]]) {
    if (!isNode(v)) continue;
    parts.push(v["cmd"], v["_raw_params"], v["argv"], v["cmd_file"]);
  }
  return parts.flat().filter((p) => typeof p === "string").join(" ");
}

/** `action: apt name=x` / `local_action: { module: apt }` → ["apt", args]. */
function actionModule(value: unknown): [string, unknown] | undefined {
  if (typeof value === "string") {
    const [mod = "", ...rest] = value.trim().split(/\s+/);
    return [mod, rest.join(" ")];
  }
  if (isNode(value) && typeof value["module"] === "string") return [value["module"], value];
  return undefined;
}

/** Why one task (not its block children) is refused, or undefined. */
export function taskViolation(task: Node): string | undefined {
  const entries: [string, unknown][] = Object.entries(task);
  for (const key of ["action", "local_action"]) {
    const am = actionModule(task[key]);
    if (am) entries.push(am);
  }
  for (const [key, value] of entries) {
    const mod = shortModuleName(key);
    if (FORBIDDEN_MODULES.has(mod)) return `uses the ${key} module`;
    if (mod === "unarchive") {
      const args = isNode(value) ? value : {};
      const src = String(args["src"] ?? (typeof value === "string" ? value : ""));
      if (args["remote_src"] === true || String(args["remote_src"]) === "yes" || URL.test(src)) {
        return `uses ${key} with a remote source`;
      }
    }
    if (COMMAND_MODULES.has(mod)) {
      const text = commandText(value, task);
      const hit = FORBIDDEN_COMMAND.exec(text);
      if (hit) return `runs \`${hit[1]}\` in ${key}`;
      if (URL.test(text)) return `passes a URL to ${key}`;
    }
  }
  return undefined;
}

function walkTasks(tasks: unknown, file: string, out: ProvisionViolation[]): void {
  if (!Array.isArray(tasks)) return;
  for (const task of tasks) {
    if (!isNode(task)) continue;
    const name = typeof task["name"] === "string" ? task["name"] : "(unnamed task)";
    const reason = taskViolation(task);
    if (reason) out.push({ file, task: name, reason });
    for (const key of BLOCK_KEYS) walkTasks(task[key], file, out);
  }
}

/** Every forbidden task in one YAML document: a playbook or a task/handler list. */
export function findProvisionViolations(yamlText: string, file: string): ProvisionViolation[] {
  const doc: unknown = parse(yamlText);
  const out: ProvisionViolation[] = [];
  if (!Array.isArray(doc)) return out;
  const isPlaybook = doc.some((item) => isNode(item) && ("hosts" in item || "import_playbook" in item));
  if (!isPlaybook) {
    walkTasks(doc, file, out);
    return out;
  }
  for (const play of doc) {
    if (!isNode(play)) continue;
    for (const key of PLAY_TASK_KEYS) walkTasks(play[key], file, out);
  }
  return out;
}
