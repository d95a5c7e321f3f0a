"""The libvirt daemon answers on qemu:///system (started by the fixture when absent)."""

import pytest

libvirt = pytest.importorskip('libvirt')

pytestmark = pytest.mark.libvirt


def test_qemu_system_answers(libvirtd):
    conn = libvirt.open(libvirtd)
    try:
        assert conn.getVersion() > 0
        assert 'kvm' in conn.getCapabilities() or 'qemu' in conn.getCapabilities()
    finally:
        conn.close()
