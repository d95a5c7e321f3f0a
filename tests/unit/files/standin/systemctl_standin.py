"""Stand-in for systemctl (tests/unit/files/test_config_files_service.py): units live in the JSON file named by
$SYSTEMCTL_STATE ({unit: {LoadState, UnitFileState, ActiveState, NeedDaemonReload, fail}}); every call that
changes something is appended to its "calls" list, so a test sees which actions ran and in which order."""

import json
import os
import sys

path = os.environ['SYSTEMCTL_STATE']
with open(path) as handle:
    state = json.load(handle)
args = [a for a in sys.argv[1:] if a != '--']
verb, names = args[0], args[1:]
units = state.setdefault('units', {})
if verb == 'show':
    props = [a.split('=', 1)[1] for a in names if a.startswith('--property=')][0].split(',')
    name = [a for a in names if not a.startswith('--')][0]
    unit = units.get(name, {'LoadState': 'not-found', 'UnitFileState': '', 'ActiveState': 'inactive'})
    for prop in props:
        print('%s=%s' % (prop, unit.get(prop, 'no' if prop == 'NeedDaemonReload' else '')))
    sys.exit(0)
state.setdefault('calls', []).append(' '.join(args))
for name in names or [None]:
    unit = units.get(name, {})
    if unit.get('fail') == verb:
        sys.stderr.write('Job for %s failed because the control process exited with error code.\n' % name)
        sys.exit(1)
    if verb == 'daemon-reload':
        for each in units.values():
            each['NeedDaemonReload'] = 'no'
    elif verb in ('enable', 'disable'):
        unit['UnitFileState'] = verb + 'd'
    elif verb in ('start', 'restart'):
        unit['ActiveState'] = 'active'
with open(path, 'w') as handle:
    json.dump(state, handle)
