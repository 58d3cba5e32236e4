#!/usr/bin/env bash
# /etc/labforge/image-release: what this image contains. ansible/roles/common
# reads it and refuses to provision from an image that does not match.
set -euo pipefail

: "${KUBERNETES_VERSION:?}" "${KUBERNETES_MINOR:?}" "${FLANNEL_VERSION:?}" "${TEMPLATE_NAME:?}"
readonly MANIFEST=/opt/labforge/cni/kube-flannel.yml

pkgver() { dpkg-query -W -f='${Version}' "$1"; }

# The kernel the clones will boot: GRUB's default is the newest installed one
# (/boot/vmlinuz points at it), which after 10-base.sh's dist-upgrade may not
# be the one this build is running.
boot_kernel="$(basename "$(readlink -f /boot/vmlinuz)")"
boot_kernel="${boot_kernel#vmlinuz-}"
[[ -n "${boot_kernel}" && -e "/lib/modules/${boot_kernel}" ]] \
  || { echo "cannot tell which kernel the clones will boot (/boot/vmlinuz -> ${boot_kernel:-nothing})" >&2; exit 1; }

install -d -m 0755 /etc/labforge
cat > /etc/labforge/image-release <<EOF_RELEASE
# Written by packer/scripts/50-release.sh while building ${TEMPLATE_NAME}.
LABFORGE_TEMPLATE=packer/ubuntu-2404-k8s.pkr.hcl
LABFORGE_TEMPLATE_NAME=${TEMPLATE_NAME}
BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
UBUNTU_VERSION=$(sed -n 's/^VERSION_ID="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)
KERNEL=${boot_kernel}
BUILD_KERNEL=$(uname -r)
KUBERNETES_VERSION=${KUBERNETES_VERSION}
KUBERNETES_MINOR=${KUBERNETES_MINOR}
KUBEADM_PACKAGE=$(pkgver kubeadm)
KUBELET_PACKAGE=$(pkgver kubelet)
KUBECTL_PACKAGE=$(pkgver kubectl)
CRI_TOOLS_PACKAGE=$(pkgver cri-tools)
KUBERNETES_CNI_PACKAGE=$(pkgver kubernetes-cni)
CONTAINERD_PACKAGE=$(pkgver containerd)
RUNC_PACKAGE=$(pkgver runc)
CNI=flannel
FLANNEL_VERSION=${FLANNEL_VERSION}
CNI_MANIFEST=${MANIFEST}
CNI_MANIFEST_SHA256=$(sha256sum "${MANIFEST}" | awk '{ print $1 }')
CNI_DEFAULT_POD_CIDR=10.244.0.0/16
EOF_RELEASE
chmod 0644 /etc/labforge/image-release
cat /etc/labforge/image-release
