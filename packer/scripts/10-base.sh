#!/usr/bin/env bash
# OS settings kubeadm's preflight checks insist on, and the small tools the
# kubelet and kubeadm call. Runs as root during the Packer build only.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

echo "==> swap off for good"
swapoff -a
sed -i -E '/^[^#].*\sswap\s/d' /etc/fstab
rm -f /swap.img

echo "==> kernel modules for containerd's overlayfs and bridged pod traffic"
cat > /etc/modules-load.d/labforge-k8s.conf <<'CONF'
overlay
br_netfilter
CONF
modprobe overlay
modprobe br_netfilter

echo "==> sysctls: let iptables see bridged traffic, route between pods"
cat > /etc/sysctl.d/90-labforge-k8s.conf <<'CONF'
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
CONF
sysctl --system >/dev/null

echo "==> packages"
apt-get update
apt-get -y dist-upgrade
# conntrack/socat/ethtool/ebtables: kubeadm preflight and kube-proxy use them.
apt-get install -y --no-install-recommends \
  qemu-guest-agent cloud-init cloud-guest-utils \
  ca-certificates curl gpg \
  conntrack socat ethtool ebtables ipset iptables
systemctl enable qemu-guest-agent || true # static unit on some releases

echo "==> no automatic updates: the image is the unit of change"
# A node must not upgrade itself under a running cluster, nor hold the dpkg
# lock while kubeadm runs. ansible/roles/common checks that these stay off.
cat > /etc/apt/apt.conf.d/20auto-upgrades <<'CONF'
APT::Periodic::Update-Package-Lists "0";
APT::Periodic::Unattended-Upgrade "0";
CONF
systemctl disable --now apt-daily.timer apt-daily-upgrade.timer unattended-upgrades.service 2>/dev/null || true
systemctl mask apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service unattended-upgrades.service
