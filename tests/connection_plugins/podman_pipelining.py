# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""containers.podman.podman with pipelining: the molecule scenarios' transport into their systemd containers.

The collection's podman connection runs ``podman exec`` without ``-i``, so a module's code cannot reach the
container on stdin and every module call costs 4-5 ``podman exec`` (make a temporary directory, copy the module,
chmod, run, clean up), ~0.25 s each on this kind of machine. Here, a command that gets input runs with
``podman exec -i``, so pipelining sends the module on stdin and a module call is one ``podman exec``, as over SSH
with pipelining. The modules, become and check mode are unchanged; only the transport is. Measured in
docs/benchmarks.md (Molecule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: podman_pipelining
short_description: Run tasks in a podman container, with pipelining
description:
  - C(containers.podman.podman), whose C(podman exec) passes standard input when a command has input, so
    Ansible's pipelining works. Test transport of the molecule scenarios.
author: hyperscaler.workstation
extends_documentation_fragment:
  - ansible.builtin.connection_pipelining
options:
  remote_addr:
    description: The name or ID of the container.
    default: inventory_hostname
    vars:
      - name: ansible_host
      - name: inventory_hostname
      - name: ansible_podman_host
  remote_user:
    description: User inside the container (C(podman exec --user)).
    vars:
      - name: ansible_user
  podman_extra_args:
    description: Extra arguments to pass to the podman command line.
    default: ''
    vars:
      - name: ansible_podman_extra_args
  podman_executable:
    description: Executable for podman command.
    default: podman
    vars:
      - name: ansible_podman_executable
"""

import shlex

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.connection import ConnectionBase, ensure_connect
from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection


class Connection(PodmanConnection):
    """The podman connection, with ``podman exec -i`` whenever a command has input."""

    transport = 'podman_pipelining'
    has_pipelining = True

    @ensure_connect
    def exec_command(self, cmd, in_data=None, sudoable=False):
        ConnectionBase.exec_command(self, cmd, in_data=in_data, sudoable=sudoable)  # pylint: disable=bad-super-call
        args = ['exec', '-i'] if in_data is not None else ['exec']
        if self.user:
            args.extend(('--user', self.user))
        return self._podman(args, shlex.split(to_native(cmd, errors='surrogate_or_strict')), in_data)
