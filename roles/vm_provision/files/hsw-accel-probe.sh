#!/bin/sh
# Print the libvirt domain type guests can really use on this host: "kvm" or "qemu" (TCG).
#
#   hsw-accel-probe.sh [kvm|tcg] [KERNEL]      (default: kvm, no kernel)
#
# /dev/kvm existing is not enough: on nested or broken setups the node is there but guests hang or QEMU cannot
# set up the vCPU (for example "failed to set MSR 0x10a" with the host CPU model). So this boots a real guest
# with the accelerator and the CPU model libvirt domains use (-cpu host for KVM), and prints "kvm" only when it
# finishes within HSW_PROBE_TIMEOUT seconds (default 20; healthy KVM needs ~1 s):
#   - with KERNEL (the golden image's kernel): Linux boots without a root disk and panics ("Kernel panic" on the
#     serial console, then QEMU exits because of -no-reboot and panic=-1): a Linux guest really ran;
#   - without: a 512-byte boot sector writes to QEMU's isa-debug-exit port (exit status 99).
# Anything else (no device, permission denied, a QEMU error, a hang) prints "qemu". The reason goes to stderr.
#
# The answer is a fact of this boot of the host: it is kept in $HSW_PROBE_CACHE (default
# /run/hyperscaler-workstation/accel-probe-ACCEL; empty: no cache) with the host's boot id, QEMU's binary and
# /dev/kvm, and reused while all three are the same (a hung probe costs its whole timeout on every run otherwise).
set -u
# HSW_PROBE_SELFTEST=1: report whether the guest finished, whatever the accelerator (to test the probe itself).
SELFTEST="${HSW_PROBE_SELFTEST:-0}"
ACCEL="${1:-kvm}"
KERNEL="${2:-}"
TIMEOUT="${HSW_PROBE_TIMEOUT:-20}"
QEMU="$(command -v qemu-system-x86_64 || true)"
if [ -z "$QEMU" ]; then
    echo "qemu"; echo "qemu-system-x86_64 not found" >&2; exit 0
fi
if [ "$ACCEL" = kvm ] && { [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; }; then
    echo "qemu"; echo "/dev/kvm missing or not accessible" >&2; exit 0
fi
if [ "$ACCEL" = kvm ]; then CPU=host; else CPU=max; fi
cache="${HSW_PROBE_CACHE-/run/hyperscaler-workstation/accel-probe-$ACCEL}"
[ "$SELFTEST" = 1 ] && cache=""
key="$(cat /proc/sys/kernel/random/boot_id 2>/dev/null) $ACCEL $(stat -Lc '%i %Y %s' "$QEMU") $(stat -Lc '%i %t:%T' /dev/kvm 2>/dev/null)"
if [ -n "$cache" ] && [ -s "$cache" ] && [ "$(head -n 1 "$cache")" = "$key" ]; then
    sed -n 2p "$cache"
    reason="$(sed -n '3,$p' "$cache")"
    echo "${reason:+$reason; }answer of this boot's probe, kept in $cache" >&2
    exit 0
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
ok=no
if [ -n "$KERNEL" ] && [ -r "$KERNEL" ]; then
    timeout "$TIMEOUT" "$QEMU" -accel "$ACCEL" -cpu "$CPU" -machine q35 -m 256 -display none -nodefaults \
        -no-reboot -serial "file:$dir/serial" -kernel "$KERNEL" \
        -append "console=ttyS0 panic=-1 root=/dev/nonexistent loglevel=4" >/dev/null 2>"$dir/err"
    rc=$?
    grep -q "Kernel panic" "$dir/serial" 2>/dev/null && ok=yes
    what="a Linux guest (kernel $KERNEL)"
else
    # mov al,0x31 ; out 0xf4,al ; hlt   ... 0x55 0xaa boot signature at offset 510
    printf '\260\061\346\364\364' >"$dir/boot.img"
    dd if=/dev/zero bs=1 count=505 2>/dev/null >>"$dir/boot.img"
    printf '\125\252' >>"$dir/boot.img"
    timeout "$TIMEOUT" "$QEMU" -accel "$ACCEL" -cpu "$CPU" -machine pc -m 16 -display none -nodefaults \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -drive "file=$dir/boot.img,format=raw,if=floppy" >/dev/null 2>"$dir/err"
    rc=$?
    # isa-debug-exit: exit status = (value << 1) | 1 = 99
    [ "$rc" -eq 99 ] && ok=yes
    what="a boot-sector guest"
fi
if [ "$SELFTEST" = 1 ]; then
    echo "finished=$ok"
    exit 0
fi
reason=""
if [ "$ok" = yes ]; then
    [ "$ACCEL" = kvm ] && answer=kvm || answer=qemu
else
    answer=qemu
    if [ "$rc" -eq 124 ]; then
        reason="$what did not finish under $ACCEL -cpu $CPU within $TIMEOUT s"
    else
        reason="$what failed under $ACCEL -cpu $CPU (exit $rc): $(grep -v warning "$dir/err" | head -c 300 | tr '\n' ' ')"
    fi
fi
echo "$answer"
[ -n "$reason" ] && echo "$reason" >&2
if [ -n "$cache" ] && mkdir -p "$(dirname "$cache")" 2>/dev/null; then
    printf '%s\n%s\n%s\n' "$key" "$answer" "$reason" >"$cache.tmp" 2>/dev/null && mv -f "$cache.tmp" "$cache" 2>/dev/null
fi
exit 0
