/** The stream parsers on output shapes the integration tests do not produce: delegation, ignored errors, replacements. */
import { describe, expect, it } from "vitest";
import { AnsibleEvents } from "../../src/provisioning/proxmox/ansible-events.ts";
import { TerraformEvents } from "../../src/provisioning/proxmox/terraform-events.ts";

function sink() {
  const progress: string[] = [];
  const logs: string[] = [];
  return { progress, logs, progressFn: (d: string) => progress.push(d), logFn: (l: string) => logs.push(l) };
}

describe("ansible output", () => {
  it("follows tasks, delegated results, ignored and multi-line failures, and the recap", () => {
    const s = sink();
    const ev = new AnsibleEvents({ progress: s.progressFn, log: s.logFn });
    for (const l of [
      "PLAY [Join the workers] *******************************************************",
      "TASK [worker : Label the node as a worker] ************************************",
      "changed: [cs401-lab3-w1 -> cs401-lab3-cp(10.40.19.201)]",
      "TASK [Probe something optional] ***********************************************",
      'fatal: [cs401-lab3-w1]: FAILED! => {"changed": false, "msg": "optional"}',
      "...ignoring",
      "TASK [common : Check containerd is running] ***********************************",
      "fatal: [cs401-lab3-w2]: FAILED! => changed=false ",
      "  assertion: common_containerd.status.ActiveState == 'active'",
      "  msg: containerd is \"inactive\" on cs401-lab3-w2.",
      "PLAY RECAP *********************************************************************",
      "cs401-lab3-w1              : ok=5    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=1   ",
      "cs401-lab3-w2              : ok=2    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0   ",
    ]) ev.line(l);
    expect(s.progress).toEqual([
      "worker : Label the node as a worker · cs401-lab3-w1: changed",
      "Probe something optional · cs401-lab3-w1: failed",
      "common : Check containerd is running · cs401-lab3-w2: failed",
    ]);
    expect(ev.failures).toHaveLength(1);
    expect(ev.failures[0]).toMatchObject({ host: "cs401-lab3-w2", task: "common : Check containerd is running", status: "failed" });
    expect(ev.failures[0]!.text).toContain('containerd is "inactive"');
    expect(ev.recap.get("cs401-lab3-w1")).toEqual({ ok: 5, changed: 1, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 1 });
    expect(ev.changed()).toBe(1);
  });

  it("tells unreachable hosts from failed ones", () => {
    const s = sink();
    const ev = new AnsibleEvents({ progress: s.progressFn, log: s.logFn });
    ev.line("TASK [Gathering Facts] *********************************************************");
    ev.line('fatal: [cs401-lab3-cp]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: Host key verification failed.", "unreachable": true}');
    expect(ev.failures).toEqual([expect.objectContaining({ host: "cs401-lab3-cp", status: "unreachable", task: "Gathering Facts" })]);
  });
});

describe("terraform -json stream", () => {
  it("counts a replacement as two changes and logs error diagnostics with their detail", () => {
    const s = sink();
    const ev = new TerraformEvents({ progress: s.progressFn, log: s.logFn });
    const msg = (o: object) => ev.line(JSON.stringify(o));
    msg({ type: "planned_change", change: { action: "replace", resource: { addr: "a" } } });
    msg({ type: "planned_change", change: { action: "create", resource: { addr: "b" } } });
    msg({ type: "planned_change", change: { action: "no-op", resource: { addr: "c" } } });
    msg({ type: "change_summary", "@message": "Plan: 2 to add, 0 to change, 1 to destroy.", changes: { add: 2, change: 0, remove: 1, operation: "plan" } });
    msg({ type: "apply_complete", "@message": "a: Destruction complete", hook: { resource: { addr: "a" }, action: "delete" } });
    msg({ type: "apply_errored", "@message": "b: Creation errored", hook: { resource: { addr: "b" }, action: "create" } });
    msg({ type: "diagnostic", "@level": "error", diagnostic: { severity: "error", summary: "clone failed", detail: "line one\nline two" } });
    ev.line("panic: not json");
    expect(s.progress).toEqual(["resources 0/3 applied", "resources 1/3 applied", "resources 2/3 applied"]);
    expect(s.logs).toEqual(["Plan: 2 to add, 0 to change, 1 to destroy.", "a: Destruction complete", "b: Creation errored", "error: clone failed", "  line one", "  line two", "panic: not json"]);
  });
});
