#!/usr/bin/env bash
# Pull every image a node will run into containerd's k8s.io namespace, and
# store the Flannel manifest at a fixed path, so that `kubeadm init`, `join`
# and the CNI apply in ansible/ never touch a registry.
set -euo pipefail

: "${KUBERNETES_VERSION:?}" "${FLANNEL_VERSION:?}"
readonly CRI=unix:///run/containerd/containerd.sock
readonly CNI_DIR=/opt/labforge/cni
readonly MANIFEST="${CNI_DIR}/kube-flannel.yml"

echo "==> control-plane images for v${KUBERNETES_VERSION}"
kubeadm config images pull --kubernetes-version "v${KUBERNETES_VERSION}" --cri-socket "${CRI}"

# containerd's default sandbox (pause) image differs from the one kubeadm
# pulls; left alone, the first pod on every node would download it.
pause="$(kubeadm config images list --kubernetes-version "v${KUBERNETES_VERSION}" | grep '/pause:')"
sed -i -E "s|^(\s*sandbox_image = ).*|\1\"${pause}\"|" /etc/containerd/config.toml
grep -q "sandbox_image = \"${pause}\"" /etc/containerd/config.toml \
  || { echo "could not set sandbox_image to ${pause}" >&2; exit 1; }
systemctl restart containerd

echo "==> Flannel v${FLANNEL_VERSION} manifest"
install -d -m 0755 "${CNI_DIR}"
curl -fsSL --retry 5 -o "${MANIFEST}" \
  "https://github.com/flannel-io/flannel/releases/download/v${FLANNEL_VERSION}/kube-flannel.yml"
if [[ -n "${FLANNEL_MANIFEST_SHA256:-}" ]]; then
  echo "${FLANNEL_MANIFEST_SHA256}  ${MANIFEST}" | sha256sum -c -
fi
chmod 0644 "${MANIFEST}"
# ansible/roles/control_plane rewrites this network to the cluster's pod_cidr.
grep -Eq '"Network": *"10\.244\.0\.0/16"' "${MANIFEST}" \
  || { echo "${MANIFEST} has no \"Network\": \"10.244.0.0/16\" to rewrite" >&2; exit 1; }

echo "==> Flannel images"
grep -E '^\s*image:' "${MANIFEST}" | awk '{ print $2 }' | tr -d '"' | sort -u > "${CNI_DIR}/images.txt"
while read -r image; do
  crictl --runtime-endpoint "${CRI}" pull "${image}"
done < "${CNI_DIR}/images.txt"

echo "==> images now in containerd"
crictl --runtime-endpoint "${CRI}" images
