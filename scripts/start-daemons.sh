#!/usr/bin/env bash
# Makes sure virtlogd and the libvirt daemon answer on their sockets (as root; see below for other users).
# With systemd as the service manager (detected as sd_booted() does: /run/systemd/system exists),
# the system's own units are started. Otherwise the daemons are started by hand, each only when nothing
# answers on its socket and no such daemon already runs: never a second daemon. A stale socket file left by
# a killed daemon is replaced by the daemon itself when it starts.
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
RUN=/run/libvirt

# A socket file alone proves nothing: a daemon that was killed (a session that ended, a container that was
# stopped) leaves its socket behind. A socket is live when something accepts a connection on it.
socket_live() {
  [[ -S $1 ]] && node -e '
    const s = require("node:net").connect(process.argv[1]);
    s.on("connect", () => process.exit(0)).on("error", () => process.exit(1));' "$1" 2>/dev/null
}

# Another user cannot start system daemons: it only says whether they answer (exit 1 when not, with the
# command that starts them).
if [[ $EUID -ne 0 ]]; then
  socket_live $RUN/libvirt-sock || socket_live $RUN/virtqemud-sock && exit 0
  say "the system libvirt daemon is not running; start it with:  sudo bash scripts/start-daemons.sh"
  exit 1
fi

# The system's own daemon of this name is alive: the pid in its pid file (/run/NAME.pid) is a live process
# of that name. A zombie left by a killed daemon does not count, nor does a libvirtd of another instance
# (the migration test runs one in its own namespaces, with its own pid file).
daemon_running() {
  local name=$1 pid
  pid=$(cat "/run/$name.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] || return 1
  [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]
}

wait_for_socket() {
  local sock=$1 name=$2
  for _ in $(seq 1 300); do
    socket_live "$sock" && return 0
    sleep 0.1
  done
  say "$name did not answer on $sock within 30 s; see its log (journalctl or /var/log/libvirt)"
  exit 1
}

if [[ -d /run/systemd/system ]]; then
  systemctl start virtlogd.socket libvirtd.socket libvirtd.service >/dev/null 2>&1 || systemctl start libvirtd
  wait_for_socket $RUN/libvirt-sock libvirtd
  exit 0
fi

# Without udev (containers, these nested hosts) /dev/kvm keeps the kernel's 0600 root:root. libvirt then
# finds its cached QEMU capabilities invalid ("KVM was enabled when probing, but it is not available now")
# and re-probes QEMU, ~4 s, several times on every domain start. Apply what Debian's udev rules do.
if [[ -c /dev/kvm ]] && ! pgrep -x systemd-udevd >/dev/null && getent group kvm >/dev/null \
  && [[ $(stat -c %G /dev/kvm) == root ]]; then
  chgrp kvm /dev/kvm
  chmod 0660 /dev/kvm
fi

mkdir -p $RUN
if ! socket_live $RUN/virtlogd-sock; then
  if ! daemon_running virtlogd; then
    say "starting virtlogd"
    /usr/sbin/virtlogd -d
  fi
  wait_for_socket $RUN/virtlogd-sock virtlogd
fi
if ! socket_live $RUN/libvirt-sock; then
  if ! daemon_running libvirtd; then
    say "starting libvirtd"
    /usr/sbin/libvirtd -d
  fi
  wait_for_socket $RUN/libvirt-sock libvirtd
fi
