# STAND-IN for kubectl (packaged as /usr/bin/kubectl by build_repo.py): records its calls in
# /var/log/hsw-standin/kubectl.jsonl and answers `version --client` only. There is no API server behind it.
import json
import os
import sys

os.makedirs('/var/log/hsw-standin', exist_ok=True)
with open('/var/log/hsw-standin/kubectl.jsonl', 'a') as handle:
    handle.write(json.dumps({'argv': sys.argv}) + '\n')
if sys.argv[1:3] == ['version', '--client']:
    print('Client Version: v1.35.0 (stand-in)')
else:
    sys.stderr.write('stand-in kubectl: no API server to talk to\n')
    sys.exit(1)
