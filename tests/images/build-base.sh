#!/usr/bin/env bash
# Build the container images the molecule scenarios boot, without any container registry:
#
#   localhost/hyperscaler-base:<hash>        debootstrap'ed Debian (trixie by default, minbase) + systemd + python3,
#                                            imported with `podman import`, CMD /sbin/init
#   localhost/hyperscaler-slurm-base:<hash>  the first image + the SLURM/munge/MariaDB/NFS packages
#                                            (Containerfile.slurm), so converge needs no downloads
#   localhost/hyperscaler-cloud-base:<hash>  the first image + containerd, runc, the CNI plugins and a CRI
#                                            client (Containerfile.cloud), for the containerd scenario
#   localhost/hyperscaler-services-base:<hash>  the first image + PostgreSQL and pgBackRest
#                                            (Containerfile.services), for the postgresql scenario
#
# Each tag is the first 12 hex digits of a sha256 over the image's inputs (this script, its package list,
# and for the layers their Containerfile, the files it copies and the first image's tag). An image whose tag exists is not
# rebuilt; `:latest` is (re)pointed at the current hash. Only deb.debian.org is needed.
#
# Usage: tests/images/build-base.sh [--base-only] [--force]
#   env: DEBIAN_MIRROR (default http://deb.debian.org/debian), DEBIAN_SUITE (default trixie, the guests' suite),
#        HSW_IMAGE_CACHE (default ~/.cache/hyperscaler-workstation/debootstrap; .debs go to its <suite>/ folder)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/../containers.conf}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="${DEBIAN_SUITE:-trixie}"
cache="${HSW_IMAGE_CACHE:-$HOME/.cache/hyperscaler-workstation/debootstrap}/$suite"
base_repo=localhost/hyperscaler-base
base_only=false
force=false
for arg in "$@"; do
  case "$arg" in
    --base-only) base_only=true ;;
    --force) force=true ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-base] %s\n' "$*" >&2; }
# Drop tags of older inputs of the same image, then the image that :latest pointed to before if nothing
# names it any more (an image still used by a container stays).
prune() {
  local repo="$1" keep="$2" previous="$3" tag
  for tag in $(podman images --format '{{.Repository}}:{{.Tag}}' "$repo"); do
    case "$tag" in "$keep"|"$repo:latest") ;; *) podman rmi "$tag" >/dev/null 2>&1 && log "removed $tag" ;; esac
  done
  if [ -n "$previous" ] && [ "$(podman image inspect --format '{{len .RepoTags}}' "$previous" 2>/dev/null)" = 0 ]; then
    podman rmi "$previous" >/dev/null 2>&1 && log "removed the previous image ${previous:0:12}"
  fi
  return 0
}
image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "build-base: '$1' is required (apt-get install $2)" >&2; exit 1; }; }
need podman podman
need sha256sum coreutils

packages() { grep -v -e '^#' -e '^[[:space:]]*$' "$1" | paste -sd, -; }
exists() { podman image exists "$1"; }

base_hash="$( { cat "$0" "$here/base.packages"; echo "$mirror $suite"; } | sha256sum | cut -c1-12)"
base_tag="$base_repo:$base_hash"

build_base() {
  need debootstrap debootstrap
  [ "$(id -u)" = 0 ] || { echo "build-base: debootstrap needs root" >&2; exit 1; }
  local work rootfs
  work="$(mktemp -d /var/tmp/hsw-rootfs.XXXXXX)"
  rootfs="$work/rootfs"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  mkdir -p "$cache"
  log "debootstrap $suite (minbase + $(packages "$here/base.packages")) into $rootfs"
  debootstrap --variant=minbase --cache-dir="$cache" \
    --include="$(packages "$here/base.packages")" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

  # Make the tree a good systemd container: same apt sources as the VM images, no recommends,
  # a fresh machine-id per container, no units that cannot work without real hardware/ttys.
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
SOURCES
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/90hyperscaler-norecommends"
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id"
  for unit in getty@tty1.service console-getty.service systemd-udevd.service systemd-udev-trigger.service \
              systemd-modules-load.service sys-kernel-config.mount sys-kernel-debug.mount \
              systemd-remount-fs.service systemd-firstboot.service; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log

  log "podman import -> $base_tag"
  tar -C "$rootfs" --numeric-owner -cf - . | podman import \
    --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
    --change 'ENV container=podman' \
    --message "hyperscaler-base $suite inputs=$base_hash" - "$base_tag" >/dev/null
  rm -rf "$work"
  trap - EXIT
}

start=$(date +%s)
previous_base="$(image_id "$base_repo:latest")"
if $force || ! exists "$base_tag"; then
  build_base
else
  log "$base_tag present, skipping"
fi
podman tag "$base_tag" "$base_repo:latest"
prune "$base_repo" "$base_tag" ""
echo "$base_tag"

# A layer on the base image: Containerfile.<name> with <name>.packages (and what else the Containerfile copies
# from this directory: every file named in a COPY line is part of the hash).
build_layer() {
  local name="$1" repo="localhost/hyperscaler-$1-base" previous files hash tag
  previous="$(image_id "$repo:latest")"
  files="$(sed -n 's/^COPY \([^ ]*\) .*/\1/p' "$here/Containerfile.$name" | sed "s|^|$here/|")"
  # shellcheck disable=SC2086
  hash="$( { echo "$base_tag"; cat "$here/Containerfile.$name" $files; } | sha256sum | cut -c1-12)"
  tag="$repo:$hash"
  if $force || ! exists "$tag"; then
    log "podman build Containerfile.$name -> $tag"
    # The host's trust store, for pip through this network's TLS proxy, if any (not an input of the image).
    local ca=() bundle=/etc/ssl/certs/ca-certificates.crt
    [ -f "$bundle" ] && ca=(--volume "$bundle:/run/hsw-host-ca.crt:ro")
    podman build --network host --pull=never --layers=false --build-arg "BASE_IMAGE=$base_tag" "${ca[@]}" \
      -f "$here/Containerfile.$name" -t "$tag" "$here" >&2
  else
    log "$tag present, skipping"
  fi
  podman tag "$tag" "$repo:latest"
  prune "$repo" "$tag" "$previous"
  echo "$tag"
}

if ! $base_only; then
  build_layer slurm
  build_layer cloud
  build_layer services
fi
# The previous base goes last: the previous SLURM image was built on it.
if [ "$previous_base" != "$(image_id "$base_repo:latest")" ]; then
  prune "$base_repo" "$base_tag" "$previous_base"
fi
log "done in $(( $(date +%s) - start ))s"
