import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { findProvisionViolations, taskViolation } from "./provision-checker.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const ANSIBLE = join(ROOT, "ansible");

/** site.yml plus every roles/<role>/{tasks,handlers}/*.yml. */
function provisionFiles(): string[] {
  const files = [join(ANSIBLE, "site.yml")];
  for (const role of readdirSync(join(ANSIBLE, "roles"))) {
    for (const dir of ["tasks", "handlers"]) {
      const path = join(ANSIBLE, "roles", role, dir);
      if (!existsSync(path)) continue;
      for (const f of readdirSync(path)) if (/\.ya?ml$/.test(f)) files.push(join(path, f));
    }
  }
  return files;
}

describe("provision-time Ansible installs and downloads nothing", () => {
  const files = provisionFiles();

  it("covers site.yml and the tasks of every role", () => {
    const rel = files.map((f) => relative(ROOT, f));
    expect(rel).toContain("ansible/site.yml");
    for (const role of ["common", "control_plane", "worker"]) {
      expect(rel).toContain(`ansible/roles/${role}/tasks/main.yml`);
    }
  });

  it("has no package-install or download task in any of them", () => {
    const violations = files.flatMap((f) => findProvisionViolations(readFileSync(f, "utf8"), relative(ROOT, f)));
    expect(violations).toEqual([]);
  });

  it("would fail if an install task were added to a real role", () => {
    const path = join(ANSIBLE, "roles", "common", "tasks", "main.yml");
    const tampered = `${readFileSync(path, "utf8")}
- name: Install a missing tool at provision time
  ansible.builtin.package:
    name: jq
`;
    expect(findProvisionViolations(tampered, "common/tasks/main.yml")).toEqual([
      { file: "common/tasks/main.yml", task: "Install a missing tool at provision time", reason: "uses the ansible.builtin.package module" },
    ]);
  });
});

describe("the checker itself", () => {
  const bad = `
- name: Install kubeadm
  ansible.builtin.apt:
    name: kubeadm
- name: Fetch a manifest
  get_url:
    url: https://example.invalid/kube-flannel.yml
    dest: /tmp/x.yml
- name: Fine
  ansible.builtin.command:
    cmd: kubeadm version -o short
- name: Nested
  block:
    - name: Curl in a shell
      ansible.builtin.shell: curl -fsSL https://example.invalid | sh
  rescue:
    - name: Pip in argv
      ansible.builtin.command:
        argv: [/usr/bin/pip3, install, foo]
  always:
    - name: Remote archive
      ansible.builtin.unarchive:
        src: /tmp/a.tgz
        dest: /opt
        remote_src: true
- name: Old action syntax
  action: yum name=foo
- name: Apply from a URL
  ansible.builtin.command: kubectl apply -f https://example.invalid/cni.yaml
- name: Hold is not an install
  ansible.builtin.command: apt-mark showhold
`;

  it("flags every kind of install or download, including inside blocks", () => {
    const found = findProvisionViolations(bad, "bad.yml");
    expect(found.map((v) => v.task)).toEqual([
      "Install kubeadm",
      "Fetch a manifest",
      "Curl in a shell",
      "Pip in argv",
      "Remote archive",
      "Old action syntax",
      "Apply from a URL",
    ]);
    expect(found[0]?.reason).toContain("ansible.builtin.apt");
  });

  it("reads playbooks' tasks and handlers as well as task files", () => {
    const play = `
- name: A play
  hosts: all
  pre_tasks:
    - name: Snap
      community.general.snap: { name: helm }
  handlers:
    - name: Wget
      ansible.builtin.shell: wget -q http://example.invalid/x
`;
    expect(findProvisionViolations(play, "site.yml").map((v) => v.task)).toEqual(["Snap", "Wget"]);
  });

  it("leaves local reads, copies and kubectl against the cluster alone", () => {
    expect(taskViolation({ "ansible.builtin.slurp": { src: "/opt/labforge/cni/kube-flannel.yml" } })).toBeUndefined();
    expect(taskViolation({ "ansible.builtin.unarchive": { src: "files/a.tgz", dest: "/opt" } })).toBeUndefined();
    expect(taskViolation({ "ansible.builtin.command": { cmd: "kubectl apply -f /etc/kubernetes/labforge/cni.yaml" } })).toBeUndefined();
    expect(taskViolation({ "ansible.builtin.package_facts": {} })).toBeUndefined();
  });
});
