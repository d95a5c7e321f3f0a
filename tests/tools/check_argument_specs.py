"""Keep each role's defaults/main.yml and meta/argument_specs.yml in step.

For every role under roles/:
- every variable in defaults (except internal `__` ones) is an option of some entry point of the argument specs;
- every option of every entry point is set in defaults, unless the option is `required: true`;
- a variable whose default is a literal must say so in the argument specs (`default:` of that value); one whose
  default is a Jinja expression only needs to exist as an option (a `default:` there, if any, documents the
  expression's fallback and is not compared).

Prints one `roles/<role>: <problem>` line per mismatch and exits 1 when there is any.

Usage: check_argument_specs.py [ROLE_DIR...]    (default: every role under roles/)
"""

import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def role_defaults(role):
    """defaults/main.yml, or every file of a defaults/main/ directory, as one dict (None: no defaults)."""
    single = [role / 'defaults' / ('main' + ext) for ext in ('.yml', '.yaml')]
    found = [path for path in single if path.is_file()]
    folder = role / 'defaults' / 'main'
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix in ('.yml', '.yaml'))
    if not found:
        return None
    values = {}
    for path in found:
        values.update(load_yaml(path) or {})
    return values


def role_specs(role):
    """The argument_specs mapping from meta/argument_specs.yml, or from meta/main.yml (None: none)."""
    for name in ('argument_specs.yml', 'argument_specs.yaml', 'main.yml', 'main.yaml'):
        path = role / 'meta' / name
        if path.is_file():
            specs = (load_yaml(path) or {}).get('argument_specs')
            if specs is not None:
                return specs
    return None


def is_template(value):
    """Whether a defaults value is (or holds) a Jinja expression: then only its existence is checked."""
    if isinstance(value, str):
        return '{{' in value or '{%' in value
    if isinstance(value, dict):
        return any(is_template(k) or is_template(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(is_template(item) for item in value)
    return False


def same(left, right):
    """YAML equality that tells true from 1 and '1' from 1."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    return left == right


def show(value):
    return yaml.safe_dump(value, default_flow_style=True, width=10000).strip().removesuffix('...').strip()


def problems(role):
    defaults = role_defaults(role)
    specs = role_specs(role)
    if specs is None:
        return ['no meta/argument_specs.yml (or argument_specs in meta/main.yml)']
    if not isinstance(specs, dict) or not specs:
        return ['argument_specs has no entry point']
    defaults = {k: v for k, v in (defaults or {}).items() if not str(k).startswith('__')}
    found = []
    options_anywhere = set()
    for entry, spec in sorted(specs.items()):
        options = (spec or {}).get('options') or {}
        options_anywhere.update(options)
        for name, option in sorted(options.items()):
            option = option or {}
            where = 'option %s of entry point %s' % (name, entry)
            if name not in defaults:
                if not option.get('required', False):
                    found.append('%s is not set in defaults/main.yml (and not required: true)' % where)
                continue
            value = defaults[name]
            if is_template(value):
                continue  # computed: a `default:` in the specs documents its fallback, it cannot be compared
            if 'default' in option:
                if not same(option['default'], value):
                    found.append(
                        '%s has default %s, defaults/main.yml has %s' % (where, show(option['default']), show(value))
                    )
            else:
                found.append('%s gives no default; defaults/main.yml has %s' % (where, show(value)))
    for name in sorted(set(defaults) - options_anywhere):
        found.append('%s is in defaults/main.yml but is no option of any entry point in argument_specs' % name)
    return found


def main(argv):
    roles = [pathlib.Path(arg) for arg in argv] or sorted(p for p in (ROOT / 'roles').iterdir() if p.is_dir())
    failed = False
    for role in roles:
        label = 'roles/%s' % role.name
        try:
            found = problems(role)
        except (OSError, yaml.YAMLError, AttributeError) as error:
            found = ['cannot read the defaults or argument specs: %s' % str(error).splitlines()[0]]
        for problem in found:
            print('%s: %s' % (label, problem))
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
