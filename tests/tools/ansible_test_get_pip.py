"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test downloads get-pip from ci-files.testing.ansible.com to seed pip into the virtual environments of its
sanity tests; that host is not reachable from our CI. `make sanity` copies this file to ansible-test's cache path
(~/.ansible/test/cache/get_pip_<version>.py). It installs pip from Python's bundled ensurepip wheel, then runs the
pip install that get-pip would have run, with get-pip's own flags removed.
"""

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {'--no-setuptools', '--no-wheel'}

ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null; the real install must see the machine's pip configuration.
env = {key: value for key, value in os.environ.items() if key != 'PIP_CONFIG_FILE'}
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=env))
