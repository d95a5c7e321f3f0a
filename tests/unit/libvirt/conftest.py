"""A clean test:///default connection per test.

libvirt's test driver keeps one shared state while any connection to test:///default is open (objects such as
virDomain keep theirs alive), so each test resets what it created: domains other than "test", networks other than
"default", volumes in "default-pool", and the "test" domain if a test removed it.
"""

import pytest

libvirt = pytest.importorskip('libvirt')

DEFAULT_DOMAIN = 'test'


def _reset(conn):
    for dom in conn.listAllDomains(0):
        if dom.name() != DEFAULT_DOMAIN:
            if dom.isActive():
                dom.destroy()
            dom.undefine()
    for net in conn.listAllNetworks(0):
        if net.name() != 'default':
            if net.isActive():
                net.destroy()
            net.undefine()
    for pool in conn.listAllStoragePools(0):
        if pool.name() == 'default-pool':
            for vol in pool.listAllVolumes(0):
                vol.delete(0)


@pytest.fixture
def conn():
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    c = libvirt.open('test:///default')
    _reset(c)
    try:
        c.lookupByName(DEFAULT_DOMAIN)
    except libvirt.libvirtError:
        pytest.skip('an earlier test removed the shared test domain; run this test alone')
    yield c
    _reset(c)
    c.close()
