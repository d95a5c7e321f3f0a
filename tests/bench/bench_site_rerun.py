"""First configuration against a rerun of `site.yml -e cluster=hpc`, measured in one run on the same VMs.

Run on a host without the cluster's VMs (it provisions them from cached images, configures, reruns, and leaves
the cluster running): .venv/bin/python tests/bench/bench_site_rerun.py   (numbers: docs/benchmarks.md)
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    sys.path.insert(0, str(ROOT / 'tests'))
    from helpers.site_run import elapsed, hpc_phase_seconds, playbook  # pylint: disable=import-outside-toplevel

    times = {}
    for label in ('first', 'rerun'):
        rc, out, recap = playbook(ROOT, 'site.yml', '-e', 'cluster=hpc')
        if rc != 0:
            sys.stderr.write(out[-4000:])
            return 1
        times['%s site.yml' % label] = round(elapsed(out), 1)
        times['%s HPC phase' % label] = round(hpc_phase_seconds(out), 1)
        times['%s changed per VM' % label] = {h: c[0] for h, c in sorted(recap.items()) if h != 'localhost'}
    times['rerun site.yml / first HPC phase'] = round(times['rerun site.yml'] / times['first HPC phase'], 3)
    times['rerun HPC phase / first HPC phase'] = round(times['rerun HPC phase'] / times['first HPC phase'], 3)
    print(json.dumps(times, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
