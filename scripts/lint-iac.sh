#!/usr/bin/env bash
# Static checks for what the proxmox driver runs: iac/ (Terraform), ansible/,
# packer/. Needs no network and no Proxmox. CI installs the tools; locally a
# missing one fails with the package to install.
#   usage: bash scripts/lint-iac.sh      (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."

export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
export ANSIBLE_CONFIG="$PWD/ansible/ansible.cfg"
export ANSIBLE_NOCOLOR=1 NO_COLOR=1

need() { # need <command> <how to get it>
  command -v "$1" >/dev/null 2>&1 || { echo "lint-iac: '$1' not found: $2" >&2; exit 1; }
}
need terraform "install HashiCorp Terraform >= 1.9 (not packaged by Debian; CI has it in /usr/local/bin)"
need ansible-lint "apt-get install -y ansible-lint"
need ansible-playbook "apt-get install -y ansible"
need packer "apt-get install -y packer"
need shellcheck "apt-get install -y shellcheck"

step() { echo "==> $*"; }

step "terraform fmt -check -recursive iac test/fixtures/terraform"
terraform fmt -check -recursive -diff iac test/fixtures/terraform

step "ansible-lint (production profile) on ansible/"
(cd ansible && ansible-lint --profile production -c .ansible-lint)

step "ansible-playbook --syntax-check ansible/site.yml"
ansible-playbook --syntax-check -i ansible/inventory/example.yml ansible/site.yml

step "packer fmt -check packer/"
packer fmt -check -diff packer

# Debian's Packer 1.6.6 knows neither required_plugins nor the current proxmox
# plugin's schema: syntax only, and without plugins.pkr.hcl (see packer/README.md).
step "packer validate -syntax-only packer/ (without plugins.pkr.hcl)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
find packer -maxdepth 1 -name '*.pkr.hcl' ! -name plugins.pkr.hcl -exec cp {} "$tmp/" \;
packer validate -syntax-only "$tmp"

step "shellcheck packer/scripts/*.sh scripts/lint-iac.sh test/fixtures/ansible/standins"
shellcheck packer/scripts/*.sh scripts/lint-iac.sh
find test/fixtures/ansible/standins -type f ! -name '*.md' -exec shellcheck -s sh -x -P test/fixtures/ansible/standins {} +

echo "lint-iac: all checks passed"
