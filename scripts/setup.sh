#!/usr/bin/env bash
# Phyllome's one set-up step, run by `npm start` (as `setup.sh --start`) and `npm test`:
#   1. installs the Debian packages Phyllome and its tests need (when missing),
#   2. installs npm dependencies (when missing or stale) and builds,
#   3. starts virtlogd and libvirtd when no service manager runs them,
#   4. builds the tiny test guest (cached; only for the tests, so not with --start).
# Steps 1, 3 and 4 need root. As another user it does every step it can, goes on past the ones it
# cannot do, and ends by printing the exact `sudo` command for each of them.
# Exit status: 0 when nothing is left undone; with --start also when only root steps are (phyllo status
# then says what works without them, e.g. a session connection); 1 otherwise.
# Re-running it is fast and safe.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

START=0
[[ ${1:-} == --start ]] && START=1

# The steps that need root, and the command for each: printed together at the end.
ROOT_STEPS=()
ROOT_COMMANDS=()
needs_root() {
  say "skipped (needs root): $1"
  ROOT_STEPS+=("$1")
  ROOT_COMMANDS+=("$2")
}

PACKAGES=(
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils ovmf swtpm swtpm-tools
  osinfo-db python3-libvirt busybox-static cpio openssh-server openssh-client netcat-openbsd
  dnsmasq-base iptables virtinst libxml2-utils hwdata pciutils usbutils time iproute2 util-linux
  zsh fish chromium fonts-dejavu-core zstd
)
# virtiofsd, which libvirt starts for each `vm share`: Debian 12 ships it in qemu-system-common
# (/usr/lib/qemu/virtiofsd, with its vhost-user descriptor); later releases in a package of its own.
if apt-cache show virtiofsd >/dev/null 2>&1; then PACKAGES+=(virtiofsd); else PACKAGES+=(qemu-system-common); fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $EUID -ne 0 ]]; then
    needs_root "installing the system packages ${missing[*]}" \
      "sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  else
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# npm dependencies: install when node_modules is missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

say "building"
npm run -s build

if [[ $EUID -eq 0 ]]; then
  bash scripts/start-daemons.sh
elif ! bash scripts/start-daemons.sh 2>/dev/null; then
  needs_root "starting the system libvirt daemon (VMs of your own user do not need it: phyllo --connect qemu:///session)" \
    "sudo bash scripts/start-daemons.sh"
fi

if ((START)); then
  : # The test guest is for the tests (and the KVM boot test, which falls back to the host's kernel).
elif [[ $EUID -eq 0 ]]; then
  bash scripts/build-test-guest.sh >/dev/null
elif ! bash scripts/build-test-guest.sh >/dev/null 2>&1; then
  needs_root "building the test guest the tests boot" "sudo bash scripts/build-test-guest.sh"
fi

if ((${#ROOT_STEPS[@]})); then
  say "done, except ${#ROOT_STEPS[@]} step(s) that need root; run them with:"
  for i in "${!ROOT_STEPS[@]}"; do
    printf '  %s\n      # %s\n' "${ROOT_COMMANDS[$i]}" "${ROOT_STEPS[$i]}" >&2
  done
  say "(or run the whole set-up as root: sudo bash scripts/setup.sh)"
  ((START)) || exit 1
fi
exit 0
