#!/bin/sh
# Start virtlogd and libvirtd when they are not running (hosts without systemd as PID 1, CI containers).
# Idempotent: does nothing when qemu:///system already answers. Exit 0 when libvirt answers, 1 otherwise.
# Prints "started" when it had to start the daemons (the role reports that as a change).
# Usage: hsw-ensure-libvirtd.sh [--check]     (--check: only report whether libvirt answers)
# The tests use it through tests/helpers/libvirtd.sh.
set -eu
URI="${LIBVIRT_DEFAULT_URI:-qemu:///system}"
answers() { virsh -c "$URI" version >/dev/null 2>&1; }
if [ "${1:-}" = "--check" ]; then
    answers
    exit $?
fi
# Without udev, /dev/kvm stays root:root 0600. libvirt then finds KVM usable while probing QEMU but not for its
# qemu user, calls its capability cache invalid on every lookup and re-probes QEMU (~4 s each): defining one
# domain takes minutes. Give it the permissions Debian's udev rule gives (root:kvm 0660). Guests still use TCG
# where KVM guests cannot run (roles/vm_provision/files/hsw-accel-probe.sh decides).
if [ -c /dev/kvm ] && getent group kvm >/dev/null 2>&1; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi
if answers; then
    exit 0
fi
pgrep -x virtlogd >/dev/null 2>&1 || virtlogd -d
pgrep -x libvirtd >/dev/null 2>&1 || libvirtd -d
i=0
while [ "$i" -lt 30 ]; do
    answers && echo started && exit 0
    i=$((i + 1))
    sleep 1
done
echo "libvirtd did not answer on $URI within 30 s" >&2
exit 1
