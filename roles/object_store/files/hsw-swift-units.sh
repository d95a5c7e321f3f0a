#!/bin/sh
# Disable (and stop) the given systemd units where they are enabled or running; prints each one it changed.
#   hsw-swift-units.sh [--check] UNIT...
set -eu
check=false
if [ "${1:-}" = --check ]; then check=true; shift; fi
for unit in "$@"; do
    state=$(systemctl is-enabled "$unit" 2>/dev/null || true)
    active=$(systemctl is-active "$unit" 2>/dev/null || true)
    case "$state" in enabled|enabled-runtime) ;; *) [ "$active" = active ] || continue ;; esac
    echo "disabled $unit"
    $check || systemctl disable --now --quiet "$unit"
done
