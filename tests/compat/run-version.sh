#!/usr/bin/env bash
# One ansible-core release: a cached venv with that release and the unit-test requirements, `pytest tests/unit`
# in the checkout, then `ansible-test sanity` without the tests named in $COMPAT_SANITY_SKIP
# (empty: all of them). Runs on the controller (Python 3.11) and, for the releases that need a newer Python,
# inside the compat container (tests/images/build-compat.sh); tests/compat/run.py calls it either way.
#
# Usage: run-version.sh VERSION CHECKOUT COLLECTION_DIR CACHE_DIR [PIP_REQUIREMENT...]
#   CHECKOUT        the repository, read only (`make link` done: the tests point ansible at its collections/)
#   COLLECTION_DIR  .../ansible_collections/hyperscaler/workstation, a copy for ansible-test (it writes there)
#   CACHE_DIR       venvs/ (one per release, Python and requirements), home/ (ansible-test's HOME: its sanity
#                   venvs); wheels from $COMPAT_WHEELS (pip --find-links)
#   PIP_REQUIREMENT extra requirements for the unit venv (the controller adds libvirt-python)
#   env: COMPAT_SANITY_SKIP, COMPAT_PYTEST_WORKERS (pytest -n), COMPAT_WHEELS, COMPAT_COLLECTIONS (an ansible_collections folder with the
#        dependencies), COMPAT_SYSTEM_SITE=1 (the venv sees the image's python3-libvirt)
set -euo pipefail
version="$1" src="$2" coll="$3" cache="$4"
shift 4
py="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
minor="${version%.*}"
log() { printf '[compat %s py%s] %s\n' "$version" "$py" "$*" >&2; }
stamp() { date +%s; }
site=()
[ "${COMPAT_SYSTEM_SITE:-0}" = 1 ] && site=(--system-site-packages)

# The venv: keyed by release, Python, the unit requirements and the extras, so a change of any builds a new one.
key="$( { cat "$src/requirements-unit.txt"; echo "$* ${site[*]}"; } | sha256sum | cut -c1-10)"
venv="$cache/venvs/py$py-ansible-core-$version-$key"
t0=$(stamp)
if [ ! -e "$venv/.installed" ]; then
  log "creating $venv"
  rm -rf "$venv"
  for old in "$cache/venvs/py$py-ansible-core-$minor".*; do [ -e "$old" ] && rm -rf "$old"; done
  mkdir -p "$cache/venvs"
  python3 -m venv "${site[@]}" "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --find-links "${COMPAT_WHEELS:-$cache/wheels}" \
    "ansible-core==$version" -r "$src/requirements-unit.txt" "$@"
  touch "$venv/.installed"
fi
t1=$(stamp)
"$venv/bin/python" -c 'import ansible.release as r; print("ansible-core", r.__version__)' >&2

# ansible-test bootstraps pip in its sanity venvs with get-pip from a host CI cannot reach: seed its cache with
# the offline stand-in (see tests/tools/ansible_test_get_pip.py), for the pip version this release pins.
pip_version="$(grep -o "pip='[0-9.]*'" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py \
  | grep -o '[0-9][0-9.]*')"
# ansible-test keeps its sanity venvs under $HOME/.ansible/test: give it a HOME in the cache, so the compat tier's
# venvs stay with the rest of its cache (and apart from `make sanity`'s).
test_home="$cache/home"
mkdir -p "$test_home/.ansible/test/cache"
cp "$coll/tests/tools/ansible_test_get_pip.py" "$test_home/.ansible/test/cache/get_pip_${pip_version//./_}.py"

# The playbook tests use the collections galaxy.yml depends on (community.libvirt, ...): the main venv has them from
# the `ansible` package (requirements.txt), and any release can use those files. ansible finds them through an
# ansible_collections folder on sys.path, as with the `ansible` package: a .pth file of the venv names a folder
# holding a link to it (some tests set their own PYTHONPATH; the main venv's Python packages stay out of sys.path).
deps="$cache/dep-collections"
if [ -n "${COMPAT_COLLECTIONS:-}" ]; then
  mkdir -p "$deps"
  ln -sfn "$COMPAT_COLLECTIONS" "$deps/ansible_collections"
  echo "$deps" >"$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/hsw-dep-collections.pth"
fi

# Unit tests in the checkout itself (some read git's file list), writing nothing there.
rc=0
(cd "$src" && env -u ANSIBLE_CONFIG PYTHONPATH="$src/collections" PYTHONDONTWRITEBYTECODE=1 \
  "$venv/bin/python" -m pytest -q -n "${COMPAT_PYTEST_WORKERS:-2}" -p no:cacheprovider tests/unit) || rc=1
t2=$(stamp)

skip=()
for t in ${COMPAT_SANITY_SKIP:-}; do skip+=(--skip-test "$t"); done
rm -rf "$coll/tests/output"
(cd "$coll" && env -u ANSIBLE_CONFIG -u PYTHONPATH PATH="$venv/bin:$PATH" HOME="$test_home" \
  ansible-test sanity --venv --python "$py" --color no "${skip[@]}") || rc=1
t3=$(stamp)
log "venv $((t1 - t0))s, unit $((t2 - t1))s, sanity $((t3 - t2))s (skipped: ${COMPAT_SANITY_SKIP:-none}), rc=$rc"
printf 'COMPAT-TIMES %s py%s venv=%s unit=%s sanity=%s rc=%s\n' "$version" "$py" $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) "$rc"
exit "$rc"
