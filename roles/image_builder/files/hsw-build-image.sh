#!/usr/bin/env bash
# Build one golden image with debootstrap (Debian packages only, no other downloads).
#
#   hsw-build-image.sh --name NAME --suite SUITE --mirror URL --cache DIR --out DIR \
#                      --size-mb N --base-packages "a b" --packages "c d" [--kernel-package PKG]
#                      [--components "main contrib non-free non-free-firmware"] [--local-packages "/x.deb"]
#
# Steps: a cached minbase rootfs tarball (debootstrap, shared by all image types) -> unpack -> apt-get install the
# type's packages inside the chroot (debootstrap --include cannot resolve cloud-init's virtual dependencies; package
# files given with --local-packages are installed in the same apt run, their dependencies from the archive) ->
# configure for NoCloud + direct kernel boot -> mkfs.ext4 -d -> qcow2. Writes to OUT:
#   NAME.qcow2 (ext4 filesystem on the whole disk, root=/dev/vda), NAME.vmlinuz, NAME.initrd, NAME.packages
# Files appear atomically (built under OUT/.NAME.tmp, then renamed), so a failed build leaves the old image intact.
set -euo pipefail

NAME="" SUITE="" MIRROR="http://deb.debian.org/debian" CACHE="" OUT="" SIZE_MB=3072
BASE_PACKAGES="" PACKAGES="" KERNEL_PACKAGE="linux-image-cloud-amd64" COMPONENTS="main" LOCAL_PACKAGES=""
while [ $# -gt 0 ]; do
    case "$1" in
        --name) NAME="$2"; shift 2 ;;
        --suite) SUITE="$2"; shift 2 ;;
        --mirror) MIRROR="$2"; shift 2 ;;
        --cache) CACHE="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --base-packages) BASE_PACKAGES="$2"; shift 2 ;;
        --packages) PACKAGES="$2"; shift 2 ;;
        --kernel-package) KERNEL_PACKAGE="$2"; shift 2 ;;
        --components) COMPONENTS="$2"; shift 2 ;;
        --local-packages) LOCAL_PACKAGES="$2"; shift 2 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[ -n "$NAME" ] && [ -n "$SUITE" ] && [ -n "$CACHE" ] && [ -n "$OUT" ] || { echo "--name, --suite, --cache and --out are required" >&2; exit 2; }

log() { echo "[$(date +%H:%M:%S)] $NAME: $*"; }
mkdir -p "$CACHE/apt-archives/partial" "$CACHE/base" "$OUT"

# 1. The shared minbase rootfs, keyed by suite, mirror and base package list.
base_key=$(printf '%s\n' "$SUITE" "$MIRROR" "$BASE_PACKAGES" "$KERNEL_PACKAGE" | sha256sum | cut -c1-16)
base_tar="$CACHE/base/$SUITE-$base_key.tar"
if [ ! -s "$base_tar" ]; then
    log "debootstrap $SUITE (minbase) from $MIRROR"
    broot=$(mktemp -d "$CACHE/base/.rootfs.XXXXXX")
    trap 'rm -rf "$broot"' EXIT
    include=$(echo "$BASE_PACKAGES" | tr ' ' ',' | sed 's/^,//;s/,$//')
    debootstrap --variant=minbase ${include:+--include="$include"} --cache-dir="$CACHE/apt-archives" \
        "$SUITE" "$broot" "$MIRROR" >"$CACHE/base/debootstrap.log" 2>&1 \
        || { tail -30 "$CACHE/base/debootstrap.log" >&2; exit 1; }
    tar -C "$broot" -cf "$base_tar.tmp" .
    mv "$base_tar.tmp" "$base_tar"
    rm -rf "$broot"
    trap - EXIT
fi

# 2. Unpack and install the type's packages in a chroot.
work=$(mktemp -d "$OUT/.$NAME.tmp.XXXXXX")
mkdir -p "$CACHE/logs"
aptlog="$CACHE/logs/$NAME-apt.log"
root="$work/rootfs"
mounted=()
cleanup() {
    for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root"
log "unpacking base $base_tar"
tar -C "$root" -xf "$base_tar"
chmod 0755 "$root"  # mktemp made it 0700; it becomes the guest's /
for m in proc sys dev dev/pts; do
    case "$m" in
        proc) mount -t proc proc "$root/proc" ;;
        sys) mount -t sysfs sys "$root/sys" ;;
        dev) mount --bind /dev "$root/dev" ;;
        dev/pts) mount -t devpts devpts "$root/dev/pts" ;;
    esac
    mounted+=("$root/$m")
done
mount --bind "$CACHE/apt-archives" "$root/var/cache/apt/archives"
mounted+=("$root/var/cache/apt/archives")
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
echo "deb $MIRROR $SUITE $COMPONENTS" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The kernel is installed but its initramfs is built for a VM: virtio drivers, no host probing.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo "MODULES=most" >"$root/etc/initramfs-tools/conf.d/hyperscaler.conf"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\nvirtio_scsi\next4\n' >>"$root/etc/initramfs-tools/modules"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
# Package files from the user (NVIDIA's vGPU guest driver): copied in, installed by path with the rest.
local_args=()
if [ -n "$LOCAL_PACKAGES" ]; then
    mkdir -p "$root/tmp/hsw-local"
    for deb in $LOCAL_PACKAGES; do
        [ -f "$deb" ] || { echo "--local-packages: $deb is not a file" >&2; exit 2; }
        cp "$deb" "$root/tmp/hsw-local/"
        local_args+=("/tmp/hsw-local/$(basename "$deb")")
    done
fi
log "apt-get install: $KERNEL_PACKAGE $PACKAGES ${local_args[*]}"
chroot "$root" apt-get update -qq >"$aptlog" 2>&1 || { cat "$aptlog" >&2; exit 1; }
# shellcheck disable=SC2086
chroot "$root" apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef \
    "$KERNEL_PACKAGE" $PACKAGES "${local_args[@]}" >>"$aptlog" 2>&1 || { tail -40 "$aptlog" >&2; exit 1; }
rm -rf "$root/tmp/hsw-local"
# DKMS signs the modules it builds with a key it generates in the image: every VM of the image would share that
# private key. The modules are built; the key goes (DKMS makes a new one if a guest ever rebuilds them).
rm -f "$root/var/lib/dkms/mok.key"

# 3. Configure for the emulated datacenter.
log "configuring"
cat >"$root/etc/fstab" <<FSTAB
/dev/vda / ext4 defaults,errors=remount-ro 0 1
FSTAB
mkdir -p "$root/etc/cloud/cloud.cfg.d"
cat >"$root/etc/cloud/cloud.cfg.d/90-hyperscaler.cfg" <<CFG
# Written by hyperscaler.workstation image_builder: the seed is a NoCloud disk labelled cidata.
datasource_list: [NoCloud, None]
datasource:
  NoCloud:
    fs_label: cidata
# Only the modules the seed (vm_provision's user-data) needs: under emulation each one is seconds of Python at
# first boot. Host keys: ed25519 only (an RSA keygen alone takes seconds under TCG).
cloud_init_modules: [write_files, resizefs, set_hostname, update_hostname, users_groups, ssh]
cloud_config_modules: [timezone]
cloud_final_modules: [final_message]
ssh_genkeytypes: [ed25519]
CFG
# No password logins, root only with a key (what cloud-init's set_passwords would write at every first boot).
mkdir -p "$root/etc/ssh/sshd_config.d"
printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n' \
    >"$root/etc/ssh/sshd_config.d/10-hyperscaler.conf"
# Serial console for virsh console and boot logs.
chroot "$root" systemctl enable serial-getty@ttyS0.service >/dev/null 2>&1 || true
for unit in ssh qemu-guest-agent chrony cloud-init cloud-init-local cloud-config cloud-final networking; do
    chroot "$root" systemctl enable "$unit" >/dev/null 2>&1 || true
done
# Daemons the roles configure stay off until a role enables them: no slurmd on the controller, no MariaDB
# or NFS server eating CPU on an emulated guest's first boot, and no image-wide munge key (the munge role
# distributes the cluster's own). Disabling here costs nothing; in a guest under TCG each unit takes seconds.
# Swift's units too: the object_store role runs its own proxies and only the servers a one-replica store needs.
for unit in munge slurmctld slurmd slurmdbd slurmrestd mariadb nfs-server nfs-kernel-server \
    swift-proxy swift-account-auditor swift-account-reaper swift-account-replicator swift-container-auditor \
    swift-container-reconciler swift-container-replicator swift-container-sharder swift-container-sync \
    swift-object-auditor swift-object-reconstructor swift-object-replicator; do
    chroot "$root" systemctl disable "$unit" >/dev/null 2>&1 || true
done
rm -f "$root/etc/munge/munge.key"
# ifupdown renders cloud-init's network config; systemd-networkd would wait forever for links it does not own.
chroot "$root" systemctl disable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null 2>&1 || true
chroot "$root" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1 || true
# Host keys and machine-id are per-VM: cloud-init and systemd create them at first boot.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
echo "$NAME" >"$root/etc/hostname"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' | sort >"$work/$NAME.packages"
rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
chroot "$root" apt-get clean >/dev/null 2>&1 || true
rm -rf "$root"/var/lib/apt/lists/* "$root"/tmp/* "$root"/var/log/*.log
# What systemd would do at first boot because /usr is newer than /etc/.updated (ConditionNeedsUpdate: ldconfig,
# the journal catalog, hwdb), done here at native speed; the stamps then tell the guest it is up to date.
chroot "$root" ldconfig
chroot "$root" journalctl --update-catalog >/dev/null 2>&1 || true
chroot "$root" systemd-hwdb update >/dev/null 2>&1 || true
touch "$root/etc/.updated" "$root/var/.updated"
kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -1)
initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -1)
[ -n "$kernel" ] && [ -n "$initrd" ] || { echo "no kernel or initrd under /boot" >&2; exit 1; }
cp "$kernel" "$work/$NAME.vmlinuz"
cp "$initrd" "$work/$NAME.initrd"
for ((i=${#mounted[@]}-1; i>=0; i--)); do umount "${mounted[$i]}"; done
mounted=()

# 4. rootfs -> ext4 -> qcow2.
log "mkfs.ext4 -d (${SIZE_MB} MiB) and qemu-img convert"
mkfs.ext4 -q -F -L rootfs -d "$root" "$work/$NAME.raw" "${SIZE_MB}M"
qemu-img convert -f raw -O qcow2 "$work/$NAME.raw" "$work/$NAME.qcow2"
rm -f "$work/$NAME.raw"
chmod 0644 "$work/$NAME".*
for f in packages vmlinuz initrd qcow2; do mv -f "$work/$NAME.$f" "$OUT/$NAME.$f"; done
log "done: $OUT/$NAME.qcow2 ($(du -h "$OUT/$NAME.qcow2" | cut -f1))"
