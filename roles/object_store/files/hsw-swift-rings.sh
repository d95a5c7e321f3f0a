#!/bin/sh
# Build Swift's account, container and object rings for one device on this node, once.
#   hsw-swift-rings.sh PART_POWER DEVICE ACCOUNT_PORT CONTAINER_PORT OBJECT_PORT
# Prints "built" when it built them; a ring that exists is left alone (rebuilding would move every object).
set -eu
power=$1 device=$2
cd /etc/swift
built=
for spec in "account:$3" "container:$4" "object:$5"; do
    ring=${spec%%:*} port=${spec#*:}
    [ -s "$ring.ring.gz" ] && continue
    rm -f "$ring.builder"
    swift-ring-builder "$ring.builder" create "$power" 1 1 >/dev/null
    swift-ring-builder "$ring.builder" add "r1z1-127.0.0.1:$port/$device" 100 >/dev/null
    swift-ring-builder "$ring.builder" rebalance >/dev/null
    built=yes
done
chown -R root:swift /etc/swift
[ -n "$built" ] && echo built
exit 0
