#!/usr/bin/env bash
# kubeadm, kubelet, kubectl and crictl at pinned versions from pkgs.k8s.io.
# The apt source is removed afterwards: nodes never talk to it again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

: "${KUBERNETES_VERSION:?}" "${KUBERNETES_MINOR:?}" "${KUBERNETES_PACKAGE_REVISION:?}" "${CRI_TOOLS_VERSION:?}"

# Fingerprint of the pkgs.k8s.io signing key ("isv:kubernetes OBS Project").
readonly K8S_KEY_FPR="DE15B14486CD377B9E876E1A234654DA9A296436"
readonly REPO="https://pkgs.k8s.io/core:/stable:/v${KUBERNETES_MINOR}/deb/"
readonly KEYRING=/etc/apt/keyrings/kubernetes-apt-keyring.gpg

install -d -m 0755 /etc/apt/keyrings
key="$(mktemp)"
curl -fsSL --retry 5 "${REPO}Release.key" -o "${key}"
if ! gpg --show-keys --with-colons "${key}" | awk -F: '$1 == "fpr" { print $10 }' | grep -qx "${K8S_KEY_FPR}"; then
  echo "pkgs.k8s.io key does not have fingerprint ${K8S_KEY_FPR}; refusing it" >&2
  exit 1
fi
gpg --batch --yes --dearmor -o "${KEYRING}" "${key}"
rm -f "${key}"

echo "deb [signed-by=${KEYRING}] ${REPO} /" > /etc/apt/sources.list.d/kubernetes.list
apt-get update

v="${KUBERNETES_VERSION}-${KUBERNETES_PACKAGE_REVISION}"
apt-get install -y --no-install-recommends \
  "kubelet=${v}" "kubeadm=${v}" "kubectl=${v}" "cri-tools=${CRI_TOOLS_VERSION}"
apt-mark hold kubelet kubeadm kubectl cri-tools kubernetes-cni

# kubeadm init/join start the kubelet; enabled so it survives reboots.
systemctl enable kubelet

cat > /etc/crictl.yaml <<'CONF'
runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
timeout: 10
CONF

rm -f /etc/apt/sources.list.d/kubernetes.list
apt-get update
