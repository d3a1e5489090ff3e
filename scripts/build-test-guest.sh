#!/usr/bin/env bash
# Builds Phyllome's tiny test guest: a Debian cloud kernel plus a busybox initramfs whose /init
# reports what the virtual machine gives it on the serial console (see docs/test-guest.md).
#
# Output, in ${PHYLLO_TEST_GUEST_DIR:-/var/cache/phyllome/test-guest}:
#   vmlinuz, initrd.img, manifest.json ({kernelVersion, builtAt, initSha256, builderSha256})
# Prints that directory on stdout. Built once: when the outputs exist and the manifest matches
# the current /init script and this builder, it exits at once. Runs as root (apt-get download).
# Never installs a kernel on the host: the kernel package is only unpacked into a scratch folder.
set -euo pipefail
umask 022

DIR=${PHYLLO_TEST_GUEST_DIR:-/var/cache/phyllome/test-guest}
KERNEL_METAPACKAGE=linux-image-cloud-amd64
BUSYBOX=/bin/busybox
SELF=$(readlink -f "${BASH_SOURCE[0]}")

say() { printf 'build-test-guest: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

# Modules the guest loads, each with its insmod parameters. Their dependencies are added
# (before them) from each module's own `depends=` field, so the insertion order is always valid.
# SCSI scanning is made synchronous so disks behind virtio-scsi exist before the report.
# (The cloud kernel has no AHCI driver, so SATA disks are not visible to this guest.)
GUEST_MODULES=(
  virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
  virtio_blk virtio_net virtio-rng virtio_balloon virtio_input virtio_console
  button evdev
  'scsi_mod scan=sync' sd_mod sr_mod virtio_scsi
  virtiofs
)

# PID 1 of the guest. Its hash is recorded in the manifest: editing it rebuilds the guest.
read -r -d '' INIT_SCRIPT <<'INIT' || true
#!/bin/sh
# PID 1 of the Phyllome test guest: load drivers, report one line, then wait for the power button.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r mod params; do
  [ -n "$mod" ] && insmod "/lib/modules/$mod.ko" $params 2>/dev/null
done < /etc/modules.order

# The vTPM's character device appears a moment after boot: wait for it when firmware announces one.
tpm_announced() {
  for d in /sys/bus/acpi/devices/MSFT0101:* /sys/bus/acpi/devices/PNP0C31:* /sys/class/tpm/tpm*; do
    [ -e "$d" ] && return 0
  done
  return 1
}
tries=3
tpm_announced && tries=20
while [ ! -e /dev/tpm0 ] && [ "$tries" -gt 0 ]; do
  usleep 100000
  tries=$((tries - 1))
done

# "a b c" -> "a,b,c"; empty -> "none"
join() {
  out=$(echo $* | tr ' ' ',')
  echo "${out:-none}"
}
virtio=$(for f in /sys/bus/virtio/devices/*/device; do [ -e "$f" ] && printf '%d\n' "$(cat "$f")"; done | sort -n)
blk=$(for d in /sys/block/*; do [ -e "$d" ] && echo "${d##*/}"; done | grep -v -E '^(loop|ram|zram)' | sort)
net=$(for d in /sys/class/net/*; do [ -e "$d" ] && echo "${d##*/}"; done | grep -v -x lo | sort)
tpm=none
[ -e /dev/tpm0 ] && tpm=tpm0
mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
cpus=$(grep -c '^processor' /proc/cpuinfo)

# phyllo.share=TAG: mount the virtiofs share TAG and report the first line of its phyllo-share.txt
# (characters other than printable non-space ASCII read as '_'); "error" when it does not mount or
# that line is missing or empty, "none" without the word.
share=none
for word in $(cat /proc/cmdline); do
  case "$word" in phyllo.share=?*) share_tag=${word#phyllo.share=} ;; esac
done
if [ -n "${share_tag:-}" ]; then
  share=error
  mkdir -p /mnt/share
  if mount -t virtiofs "$share_tag" /mnt/share && [ -r /mnt/share/phyllo-share.txt ]; then
    first=
    IFS= read -r first < /mnt/share/phyllo-share.txt
    first=$(printf '%s' "$first" | tr -d '\r' | tr -c '!-~' '_')
    [ -n "$first" ] && share=$first
  fi
fi

# Listen for the power button before reporting, so a shutdown sent right after the report is not lost.
# ACPI power button (virsh shutdown) -> busybox acpid -> /etc/acpi/PWRF/00000080 -> poweroff -f.
# acpid opens /dev/input/event0, 1, ... once, at start: wait for the first one.
tries=20
while [ ! -e /dev/input/event0 ] && [ "$tries" -gt 0 ]; do
  usleep 100000
  tries=$((tries - 1))
done
acpid -c /etc/acpi -a /etc/acpid.conf -l /tmp/acpid.log -p /tmp/acpid.pid

stty -F /dev/ttyS0 -echo 2>/dev/null
line="PHYLLO-GUEST virtio=$(join $virtio) blk=$(join $blk) tpm=$tpm mem_kib=$mem cpus=$cpus net=$(join $net) kernel=$(uname -r) share=$share"
echo "$line" > /dev/ttyS0
[ -e /dev/hvc0 ] && (echo "$line" > /dev/hvc0 &)

power_off() {
  sync
  # let the UART send what is still buffered before the machine goes away
  usleep 200000
  poweroff -f
}

if grep -q -w 'phyllo.poweroff=1' /proc/cmdline; then
  power_off
fi


# Echo every line typed on the serial console, so a test can prove the stream goes both ways.
while true; do
  while IFS= read -r input; do
    input=$(printf '%s' "$input" | tr -d '\r')
    echo "PHYLLO-ECHO $input"
  done < /dev/ttyS0 > /dev/ttyS0
  sleep 1
done
INIT

# The action busybox acpid runs for the power button (key PWRF, action PWRF/00000080).
read -r -d '' POWER_BUTTON_ACTION <<'ACTION' || true
#!/bin/sh
echo "PHYLLO-POWER-BUTTON" > /dev/ttyS0
sync
usleep 200000
poweroff -f
ACTION

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
INIT_SHA=$(sha256 "$INIT_SCRIPT")
BUILDER_SHA=$(sha256sum "$SELF" | cut -d' ' -f1)

manifest_field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$DIR/manifest.json" 2>/dev/null | head -n1; }

up_to_date() {
  [[ -s "$DIR/vmlinuz" && -s "$DIR/initrd.img" && -s "$DIR/manifest.json" ]] &&
    [[ "$(manifest_field initSha256)" == "$INIT_SHA" && "$(manifest_field builderSha256)" == "$BUILDER_SHA" ]]
}

if up_to_date; then
  echo "$DIR"
  exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (it downloads a kernel package with apt-get): sudo bash $0"
[[ -x "$BUSYBOX" ]] || die "$BUSYBOX is missing: apt-get install busybox-static"
for tool in cpio gzip dpkg-deb apt-get apt-cache flock; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

mkdir -p "$DIR"
chmod 0755 "$DIR"
parent=$(dirname "$DIR")
[[ "$parent" == /var/cache/phyllome ]] && chmod 0755 "$parent"

# One build at a time; whoever waited finds the work done.
exec 9>"$DIR/.lock"
flock 9
if up_to_date; then
  echo "$DIR"
  exit 0
fi

# Leftovers of a build that was killed: nothing at a final path, only scratch folders.
rm -rf "$DIR"/.build.*
WORK=$(mktemp -d "$DIR/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

kernel_package() {
  apt-cache depends "$KERNEL_METAPACKAGE" 2>/dev/null |
    sed -n 's/^ *Depends: *\(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -n1
}

pkg=$(kernel_package)
if [[ -z "$pkg" ]]; then
  say "no package lists know $KERNEL_METAPACKAGE: running apt-get update"
  apt-get update -q >/dev/null
  pkg=$(kernel_package)
fi
[[ -n "$pkg" ]] || die "cannot resolve the kernel package behind $KERNEL_METAPACKAGE"

download() { (cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >"$WORK/apt.log" 2>&1); }
say "downloading $pkg"
if ! download; then
  say "download failed: refreshing package lists and retrying"
  apt-get update -q >/dev/null
  download || {
    cat "$WORK/apt.log" >&2
    die "could not download $pkg"
  }
fi

deb=$(ls "$WORK"/"$pkg"_*.deb)
dpkg-deb -x "$deb" "$WORK/pkg"
rm -f "$deb"

vmlinuz=$(ls "$WORK"/pkg/boot/vmlinuz-* | head -n1)
[[ -f "$vmlinuz" ]] || die "$pkg holds no boot/vmlinuz-*"
kver=${vmlinuz##*/vmlinuz-}
moddir="$WORK/pkg/lib/modules/$kver/kernel"
[[ -d "$moddir" ]] || die "$pkg holds no lib/modules/$kver/kernel"

# Index every module by its name (file name without .ko*, with '-' read as '_' like the kernel does).
declare -A MODULE_FILE=()
while IFS= read -r -d '' f; do
  base=${f##*/}
  base=${base%%.ko*}
  MODULE_FILE[${base//-/_}]=$f
done < <(find "$moddir" -name '*.ko' -print0 -o -name '*.ko.xz' -print0 -o -name '*.ko.zst' -print0)

ROOT="$WORK/initramfs"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,etc/acpi/PWRF,lib/modules}

# A plain .ko: busybox insmod does not reliably read compressed modules.
plain_module() {
  local src=$1 dst=$2
  case "$src" in
    *.ko.xz) xz -dc "$src" >"$dst" ;;
    *.ko.zst) zstd -q -dc "$src" >"$dst" ;;
    *) cp "$src" "$dst" ;;
  esac
}

declare -A ADDED=()
ORDER=()
add_module() {
  local key=${1//-/_} params=${2:-}
  [[ -n "${ADDED[$key]:-}" ]] && return 0
  local src=${MODULE_FILE[$key]:-}
  if [[ -z "$src" ]]; then
    # built into this kernel: nothing to load
    grep -q -E "/${key//_/[-_]}\.ko$" "$WORK/pkg/lib/modules/$kver/modules.builtin" 2>/dev/null && return 0
    die "module $1 is neither in $pkg nor built in"
  fi
  ADDED[$key]=1
  local file=${src##*/}
  file=${file%%.ko*}
  plain_module "$src" "$ROOT/lib/modules/$file.ko"
  local deps dep
  deps=$(tr '\0' '\n' <"$ROOT/lib/modules/$file.ko" | sed -n 's/^depends=//p' | head -n1)
  for dep in ${deps//,/ }; do
    add_module "$dep"
  done
  ORDER+=("$file${params:+ $params}")
}
for entry in "${GUEST_MODULES[@]}"; do
  read -r name params <<<"$entry"
  add_module "$name" "$params"
done
printf '%s\n' "${ORDER[@]}" >"$ROOT/etc/modules.order"

cp "$BUSYBOX" "$ROOT/bin/busybox"
while IFS= read -r applet; do
  applet=${applet#/}
  [[ -e "$ROOT/$applet" ]] && continue
  mkdir -p "$ROOT/$(dirname "$applet")"
  depth=$(tr -cd '/' <<<"$applet" | wc -c)
  up=$(printf '../%.0s' $(seq 1 "$depth"))
  ln -s "${up}bin/busybox" "$ROOT/$applet"
done < <("$BUSYBOX" --list-full)

printf '%s\n' "$INIT_SCRIPT" >"$ROOT/init"
printf '%s\n' "$POWER_BUTTON_ACTION" >"$ROOT/etc/acpi/PWRF/00000080"
printf 'PWRF PWRF/00000080\n' >"$ROOT/etc/acpid.conf"
chmod 0755 "$ROOT/init" "$ROOT/etc/acpi/PWRF/00000080"
# The kernel gives PID 1 /dev/console as stdin/stdout before /init mounts devtmpfs.
mknod -m 0600 "$ROOT/dev/console" c 5 1
mknod -m 0666 "$ROOT/dev/null" c 1 3

(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$WORK/initrd.img"
cp "$vmlinuz" "$WORK/vmlinuz"

printf '{\n  "kernelVersion": "%s",\n  "builtAt": "%s",\n  "initSha256": "%s",\n  "builderSha256": "%s"\n}\n' \
  "$kver" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$INIT_SHA" "$BUILDER_SHA" >"$WORK/manifest.json"
chmod 0644 "$WORK/vmlinuz" "$WORK/initrd.img" "$WORK/manifest.json"

# Publish: the manifest goes last, so a reader that sees a matching manifest sees a whole guest.
rm -f "$DIR/manifest.json"
mv -f "$WORK/vmlinuz" "$DIR/vmlinuz"
mv -f "$WORK/initrd.img" "$DIR/initrd.img"
mv -f "$WORK/manifest.json" "$DIR/manifest.json"
say "built kernel $kver, modules: ${ORDER[*]}"
echo "$DIR"
