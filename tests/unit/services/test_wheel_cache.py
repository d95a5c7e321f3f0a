"""Module wheel_cache: pip download once into a hashed directory, checked against SHA256SUMS on every later run,
with a tar of the same files beside it (one transfer to a node).

pip is real; the index is a local directory holding one wheel made here (no network).
"""

import tarfile
import zipfile

from helpers.module_harness import run_module

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _wheels
from ansible_collections.hyperscaler.workstation.plugins.modules import wheel_cache

PLATFORMS = ['manylinux_2_17_x86_64']


def _wheelhouse(tmp_path):
    """A directory with one pure-Python wheel (hswtiny 1.0), as an offline cache would hold."""
    house = tmp_path / 'house'
    house.mkdir()
    info = 'hswtiny-1.0.dist-info/'
    with zipfile.ZipFile(str(house / 'hswtiny-1.0-py3-none-any.whl'), 'w') as whl:
        whl.writestr('hswtiny.py', 'VALUE = 1\n')
        whl.writestr(info + 'METADATA', 'Metadata-Version: 2.1\nName: hswtiny\nVersion: 1.0\n')
        whl.writestr(info + 'WHEEL', 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
        whl.writestr(info + 'RECORD', '')
    return house


def _args(tmp_path, house, **extra):
    args = dict(
        path=str(tmp_path / 'cache'),
        name='tiny',
        requirements=['hswtiny==1.0'],
        python_version='3.13',
        platforms=PLATFORMS,
        find_links=[str(house)],
        no_index=True,
    )
    args.update(extra)
    return args


def test_downloads_once_then_reuses_and_checks_the_files(tmp_path, monkeypatch):
    house = _wheelhouse(tmp_path)
    check = run_module(wheel_cache, _args(tmp_path, house), monkeypatch, check_mode=True)
    assert check['changed'] and not (tmp_path / 'cache').exists()

    first = run_module(wheel_cache, _args(tmp_path, house), monkeypatch)
    assert first['changed'], first
    directory = tmp_path / 'cache' / ('tiny-' + first['hash'])
    assert first['dir'] == str(directory)
    assert first['wheels'] == ['hswtiny-1.0-py3-none-any.whl', 'requirements.lock']
    assert (directory / 'requirements.lock').read_text() == 'hswtiny==1.0\n'
    assert sorted(_wheels.read_sums(str(directory))) == first['wheels']
    assert not (tmp_path / 'cache' / ('tiny-%s.tmp' % first['hash'])).exists()

    archive = tmp_path / 'cache' / ('tiny-%s.tar' % first['hash'])
    assert first['archive'] == str(archive) and not (tmp_path / 'cache' / (archive.name + '.tmp')).exists()
    with tarfile.open(str(archive)) as handle:
        assert sorted(handle.getnames()) == sorted(first['wheels'] + ['SHA256SUMS'])
        packed = handle.extractfile('hswtiny-1.0-py3-none-any.whl').read()
    assert packed == (directory / 'hswtiny-1.0-py3-none-any.whl').read_bytes()

    again = run_module(wheel_cache, _args(tmp_path, house), monkeypatch)
    assert not again['changed'] and again['wheels'] == first['wheels']

    # An archive that went missing (a cache from before it existed) is written again; check mode only says so.
    archive.unlink()
    predicted = run_module(wheel_cache, _args(tmp_path, house), monkeypatch, check_mode=True)
    assert predicted['changed'] and not archive.exists()
    rewritten = run_module(wheel_cache, _args(tmp_path, house), monkeypatch)
    assert rewritten['changed'] and tarfile.is_tarfile(str(archive))

    (directory / 'hswtiny-1.0-py3-none-any.whl').write_bytes(b'not a wheel')
    broken = run_module(wheel_cache, _args(tmp_path, house), monkeypatch)
    assert broken['failed']
    assert 'hswtiny-1.0-py3-none-any.whl is missing or differs from SHA256SUMS' in broken['msg']


def test_a_changed_pin_gets_its_own_directory_and_a_failed_download_leaves_none(tmp_path, monkeypatch):
    house = _wheelhouse(tmp_path)
    result = run_module(wheel_cache, _args(tmp_path, house, requirements=['hswtiny==2.0']), monkeypatch)
    assert result['failed']
    assert 'pip download of hswtiny==2.0 for Python 3.13 failed' in result['msg']
    assert list((tmp_path / 'cache').iterdir()) == []
    assert _wheels.input_hash(['hswtiny==2.0'], '3.13', PLATFORMS) != _wheels.input_hash(
        ['hswtiny==1.0'], '3.13', PLATFORMS
    )
    assert _wheels.input_hash(['a'], '3.13', PLATFORMS) != _wheels.input_hash(['a'], '3.12', PLATFORMS)


def test_pip_is_asked_for_binary_wheels_of_the_guests_python():
    argv = _wheels.download_argv('/d', ['mlflow==3.17.2'], '3.13', ['manylinux_2_28_x86_64'], 'http://mirror/simple')
    text = ' '.join(argv[1:])
    assert '-m pip download' in text and '--only-binary=:all:' in text
    assert '--python-version 3.13 --implementation cp --abi cp313 --platform manylinux_2_28_x86_64' in text
    assert '--index-url http://mirror/simple' in text and text.endswith('mlflow==3.17.2')
