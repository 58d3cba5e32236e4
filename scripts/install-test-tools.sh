#!/usr/bin/env bash
# Installs the system tools the tests and linters use (Debian/Ubuntu): Ansible, ansible-lint, OpenSSH server, Packer, ShellCheck,
# systemd-analyze (systemd), promtool (prometheus) and Debian's chromium (the web page's browser tests drive it with playwright-core).
# Terraform is expected preinstalled (Debian has no package for it). Safe to run again.
set -euo pipefail
missing=()
command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible)
command -v ansible-lint >/dev/null 2>&1 || missing+=(ansible-lint)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v packer >/dev/null 2>&1 || missing+=(packer)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# systemd-analyze verifies deploy/*.service without systemd running as PID 1 (containers included).
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
# Debian's prometheus package is where promtool comes from (it checks and unit-tests deploy/prometheus).
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# The browser tests use this chromium through its path; playwright-core downloads no browser of its own.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v terraform >/dev/null 2>&1 || echo "warning: terraform is not installed; the Terraform tests will be skipped" >&2
