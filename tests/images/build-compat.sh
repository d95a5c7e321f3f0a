#!/usr/bin/env bash
# Build the image `make compat` runs the unit tests and ansible-test sanity in for the ansible-core releases
# that need a newer Python than the Debian 12 controller has (2.20 and 2.21 need Python >= 3.12):
#
#   localhost/hyperscaler-debian13-compat:<hash>  debootstrap'ed Debian 13 (trixie, minbase) + compat.packages
#                                                 (python3 3.13, python3-venv, git, ...), `podman import`ed
#
# Built like build-base.sh's images (no container registry): the tag is the first 12 hex digits of a sha256
# over this script, compat.packages, the mirror and the suite; an image whose tag exists is not rebuilt,
# `:latest` follows the current hash and tags of older inputs are removed. No systemd: the container only runs
# tests/compat/run-version.sh. Only deb.debian.org is needed. Prints the tag.
#
# Usage: tests/images/build-compat.sh [--force]
#   env: DEBIAN_MIRROR (default http://deb.debian.org/debian), COMPAT_SUITE (default trixie),
#        HSW_IMAGE_CACHE (default ~/.cache/hyperscaler-workstation/debootstrap; .debs go to its <suite>/ folder)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/../containers.conf}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite="${COMPAT_SUITE:-trixie}"
cache="${HSW_IMAGE_CACHE:-$HOME/.cache/hyperscaler-workstation/debootstrap}/$suite"
repo=localhost/hyperscaler-debian13-compat
force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-compat] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "build-compat: '$1' is required (apt-get install $2)" >&2; exit 1; }; }
packages() { grep -v -e '^#' -e '^[[:space:]]*$' "$1" | paste -sd, -; }
need podman podman
need sha256sum coreutils

hash="$( { cat "$0" "$here/compat.packages"; echo "$mirror $suite"; } | sha256sum | cut -c1-12)"
tag="$repo:$hash"
start=$(date +%s)
if $force || ! podman image exists "$tag"; then
  need debootstrap debootstrap
  [ "$(id -u)" = 0 ] || { echo "build-compat: debootstrap needs root" >&2; exit 1; }
  # Debian 12's debootstrap knows trixie (a symlink to the sid script); older ones do not.
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || { echo "build-compat: debootstrap has no script for $suite" >&2; exit 1; }
  work="$(mktemp -d /var/tmp/hsw-compat.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  mkdir -p "$cache"
  log "debootstrap $suite (minbase + $(packages "$here/compat.packages")) into $work/rootfs"
  debootstrap --variant=minbase --cache-dir="$cache" --include="$(packages "$here/compat.packages")" \
    "$suite" "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # The package lists stay: the playbook tests run ansible.builtin.apt in check mode, which looks packages up.
  rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/log/*.log
  log "podman import -> $tag"
  tar -C "$work/rootfs" --numeric-owner -cf - . | podman import --change 'CMD ["/bin/bash"]' \
    --message "hyperscaler-debian13-compat $suite inputs=$hash" - "$tag" >/dev/null
  rm -rf "$work"
  trap - EXIT
else
  log "$tag present, skipping"
fi
previous="$(podman image inspect --format '{{.Id}}' "$repo:latest" 2>/dev/null || true)"
podman tag "$tag" "$repo:latest"
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' "$repo"); do
  case "$old" in "$tag"|"$repo:latest") ;; *) podman rmi "$old" >/dev/null 2>&1 && log "removed $old" ;; esac
done
if [ -n "$previous" ] && [ "$(podman image inspect --format '{{len .RepoTags}}' "$previous" 2>/dev/null)" = 0 ]; then
  podman rmi "$previous" >/dev/null 2>&1 && log "removed the previous image ${previous:0:12}"
fi
echo "$tag"
log "done in $(( $(date +%s) - start ))s"
