#cloud-config
# Subiquity autoinstall for the labforge template build (Ubuntu 24.04 LTS).
# Served by Packer's HTTP server during `packer build` only, rendered by
# templatefile() in ubuntu-2404-k8s.pkr.hcl (build_username and
# build_password_hash come from variables.pkr.hcl).
autoinstall:
  version: 1
  locale: en_US.UTF-8
  keyboard:
    layout: us
  timezone: Etc/UTC
  # DHCP on the build network; scripts/99-cleanup.sh removes this so each
  # clone gets its static address from the Proxmox cloud-init drive.
  network:
    version: 2
    ethernets:
      nic0:
        match:
          name: "en*"
        dhcp4: true
  # No LVM: a plain root partition is what cloud-init's growpart can grow
  # when Terraform enlarges a clone's disk. No swap: the kubelet refuses it.
  storage:
    layout:
      name: direct
    swap:
      size: 0
  # Throwaway build account: Packer logs in with it over SSH, and the last
  # build step (scripts/99-cleanup.sh) deletes it. Not a secret: the account
  # never exists in the finished template.
  identity:
    hostname: labforge-template
    username: "${username}"
    password: "${password_hash}"
  ssh:
    install-server: true
    allow-pw: true
  packages:
    - qemu-guest-agent
    - cloud-init
  # Take the security updates available at build time into the image.
  updates: security
  late-commands:
    - echo '${username} ALL=(ALL) NOPASSWD:ALL' > /target/etc/sudoers.d/90-labforge-build
    - chmod 0440 /target/etc/sudoers.d/90-labforge-build
