#!/bin/sh
# Disable (and stop) those of the given systemd units that are enabled or running, in one systemctl call (each
# call reloads systemd and runs the SysV helper: seconds on an emulated VM); prints each one it changed.
#   hsw-swift-units.sh [--check] UNIT...
set -eu
check=false
if [ "${1:-}" = --check ]; then check=true; shift; fi
changed=
for unit in "$@"; do
    state=$(systemctl is-enabled "$unit" 2>/dev/null || true)
    active=$(systemctl is-active "$unit" 2>/dev/null || true)
    case "$state" in enabled|enabled-runtime) ;; *) [ "$active" = active ] || continue ;; esac
    echo "disabled $unit"
    changed="$changed $unit"
done
if [ -n "$changed" ] && ! $check; then
    # shellcheck disable=SC2086
    systemctl disable --now --quiet $changed
fi
