#!/usr/bin/env bash
# Phyllome's one set-up step, run by `npm start` and `npm test`:
#   1. installs the Debian packages Phyllome and its tests need (when missing),
#   2. installs npm dependencies (when missing or stale) and builds,
#   3. starts virtlogd and libvirtd when no service manager runs them,
#   4. builds the tiny test guest (cached).
# Re-running it is fast and safe.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

PACKAGES=(
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils ovmf swtpm swtpm-tools
  osinfo-db python3-libvirt busybox-static cpio openssh-server openssh-client netcat-openbsd
  dnsmasq-base iptables virtinst libxml2-utils hwdata pciutils usbutils time iproute2 util-linux
  zsh fish
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]]; then
    say "these system packages are missing: ${missing[*]}"
    say "install them once with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    say "or run the set-up as root:  sudo npm start"
    exit 1
  fi
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dependencies: install when node_modules is missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

say "building"
npm run -s build

bash scripts/start-daemons.sh
bash scripts/build-test-guest.sh >/dev/null
