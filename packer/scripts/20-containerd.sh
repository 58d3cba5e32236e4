#!/usr/bin/env bash
# containerd from Ubuntu's archive, configured for the kubelet (systemd
# cgroups). The pause image is set in 40-images.sh once kubeadm says which.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkg="containerd"
if [[ -n "${CONTAINERD_VERSION:-}" ]]; then pkg="containerd=${CONTAINERD_VERSION}"; fi
apt-get install -y --no-install-recommends "${pkg}"

install -d -m 0755 /etc/containerd
containerd config default > /etc/containerd/config.toml
# The kubelet uses the systemd cgroup driver (kubeadm's default); containerd
# must match or pods restart at random.
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
grep -q 'SystemdCgroup = true' /etc/containerd/config.toml \
  || { echo "SystemdCgroup = true not set in /etc/containerd/config.toml" >&2; exit 1; }

systemctl enable containerd
systemctl restart containerd
# The image is the unit of change: nothing on a node upgrades by itself.
# runc comes with containerd and is as much a part of the runtime.
apt-mark hold containerd runc
