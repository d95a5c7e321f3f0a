# STAND-IN for kubectl (packaged as /usr/bin/kubectl by build_repo.py): records its calls in
# /var/log/hsw-standin/kubectl.jsonl. There is no API server behind it: the Nodes it knows are a kubectl List in
# /var/lib/hsw-standin/nodes.json (a test writes them). It answers `version --client`, `get nodes -o json`,
# `drain NODE` (cordons it) and `delete node NODE` (removes it); with --dry-run=server it changes nothing, and a
# node it does not know is refused, as the API server would.
import json
import os
import sys

NODES = '/var/lib/hsw-standin/nodes.json'
os.makedirs('/var/log/hsw-standin', exist_ok=True)
with open('/var/log/hsw-standin/kubectl.jsonl', 'a') as handle:
    handle.write(json.dumps({'argv': sys.argv}) + '\n')

args = sys.argv[1:]
if '--kubeconfig' in args:
    at = args.index('--kubeconfig')
    del args[at : at + 2]
dry_run = '--dry-run=server' in args
words = [a for a in args if not a.startswith('-')]


def load():
    if not os.path.exists(NODES):
        return {'apiVersion': 'v1', 'kind': 'List', 'items': []}
    with open(NODES) as handle:
        return json.load(handle)


def find(listing, name):
    for node in listing['items']:
        if node['metadata']['name'] == name:
            return node
    sys.stderr.write('Error from server (NotFound): nodes "%s" not found\n' % name)
    sys.exit(1)


def save(listing):
    if not dry_run:
        with open(NODES, 'w') as handle:
            json.dump(listing, handle)


suffix = ' (server dry run)' if dry_run else ''
if args[:2] == ['version', '--client']:
    print('Client Version: v1.35.0 (stand-in)')
elif words[:2] == ['get', 'nodes'] and ('json' in args or '-ojson' in args):
    print(json.dumps(load()))
elif words[:1] == ['drain'] and len(words) == 2:
    listing = load()
    find(listing, words[1]).setdefault('spec', {})['unschedulable'] = True
    save(listing)
    print('node/%s cordoned%s\nnode/%s drained%s' % (words[1], suffix, words[1], suffix))
elif words[:2] == ['delete', 'node'] and len(words) == 3:
    listing = load()
    listing['items'].remove(find(listing, words[2]))
    save(listing)
    print('node "%s" deleted%s' % (words[2], suffix))
else:
    sys.stderr.write('stand-in kubectl: %r is not answered by this stand-in (no API server)\n' % ' '.join(args))
    sys.exit(1)
