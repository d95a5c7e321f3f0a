"""Supported versions are tested versions: meta/runtime.yml's `requires_ansible` must claim exactly the
ansible-core minor releases CI runs the unit tests and ansible-test sanity on.

The tested releases are the main one (the `ansible-core==` pin in requirements.txt, which every tier runs on)
and the ones `make compat` runs (given as arguments, from the Makefile's COMPAT_VERSIONS). The check fails when
a tested release lies outside the range, when the range admits a minor release nothing tests (an open upper
bound admits all future ones), or when a minor release is tested twice.

Usage: check_requires_ansible.py [--root DIR] VERSION...     prints `meta/runtime.yml: <problem>` lines
"""

import argparse
import pathlib
import re
import sys

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Minor releases the range is probed at: 2.0 .. 2.99 and 3.0 .. 3.99 (a bound past those is not a bound).
PROBES = [(major, minor) for major in (2, 3) for minor in range(100)]


def main_release(root):
    match = re.search(r'^ansible-core==(\S+)$', (root / 'requirements.txt').read_text(), re.M)
    if not match:
        raise SystemExit('requirements.txt: no ansible-core== pin')
    return match.group(1)


def problems(requires, tested):
    """The mismatches between the specifier `requires` and the tested releases (strings), as sentences."""
    spec = SpecifierSet(requires)
    found = []
    minors = {}
    for release in tested:
        version = Version(release)
        minors.setdefault(version.release[:2], []).append(release)
        if version not in spec:
            found.append('requires_ansible "%s" excludes the tested release %s' % (requires, release))
    for minor, releases in sorted(minors.items()):
        if len(releases) > 1:
            found.append('ansible-core %d.%d is tested twice (%s)' % (minor + (', '.join(releases),)))
    untested = []
    for minor in PROBES:
        # A minor release is claimed when its first release or any later patch of it is admitted.
        claimed = any(Version('%d.%d.%d' % (minor + (patch,))) in spec for patch in range(100))
        if claimed and minor not in minors:
            untested.append('%d.%d' % minor)
    if untested:
        shown = untested if len(untested) <= 6 else untested[:3] + ['...'] + untested[-1:]
        found.append(
            'requires_ansible "%s" admits ansible-core %s, which CI does not test (tested: %s)'
            % (requires, ', '.join(shown), ', '.join(sorted(tested, key=Version)))
        )
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--root', type=pathlib.Path, default=ROOT)
    parser.add_argument('versions', nargs='*', help='the ansible-core releases make compat tests')
    args = parser.parse_args(argv)
    runtime = yaml.safe_load((args.root / 'meta' / 'runtime.yml').read_text()) or {}
    requires = runtime.get('requires_ansible')
    if not requires:
        print('meta/runtime.yml: no requires_ansible')
        return 1
    tested = [main_release(args.root)] + args.versions
    found = problems(requires, tested)
    for problem in found:
        print('meta/runtime.yml: %s' % problem)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
