#!/bin/sh
# Start virtlogd and libvirtd when nothing runs them (no systemd as PID 1); the same script the vm_provision
# role runs before it talks to libvirt. Usage: tests/helpers/libvirtd.sh [--check]
exec "$(dirname "$0")/../../roles/vm_provision/files/hsw-ensure-libvirtd.sh" "$@"
