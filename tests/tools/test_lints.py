"""The lints in tests/tools, on small role trees and runtime files written by each test."""

import pathlib
import sys
import textwrap

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import check_argument_specs  # noqa: E402
import check_requires_ansible  # noqa: E402


def role(tmp_path, defaults, specs):
    path = tmp_path / 'roles' / 'demo'
    (path / 'defaults').mkdir(parents=True)
    (path / 'meta').mkdir()
    (path / 'defaults' / 'main.yml').write_text(textwrap.dedent(defaults))
    (path / 'meta' / 'argument_specs.yml').write_text(textwrap.dedent(specs))
    return path


SPECS = '''\
    argument_specs:
      main:
        options:
          demo_port: {type: int, default: 8080}
          demo_url: {type: str, default: http://localhost}
          demo_token: {type: str, required: true}
'''


def test_defaults_and_specs_in_step_pass(tmp_path):
    path = role(tmp_path, "demo_port: 8080\ndemo_url: \"{{ hyperscaler_node.url | default('x') }}\"\n", SPECS)
    assert check_argument_specs.problems(path) == []


def test_each_kind_of_mismatch_is_reported(tmp_path, capsys):
    path = role(
        tmp_path,
        "demo_port: '8080'\ndemo_url: http://localhost\ndemo_extra: 1\n__demo_internal: 2\ndemo_list: [a]\n",
        SPECS.replace(
            'demo_token', 'demo_list: {type: list}\n          demo_missing: {type: str}\n          demo_token'
        ),
    )
    assert check_argument_specs.main([str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith('roles/demo: ') for line in lines)
    text = '\n'.join(lines)
    assert "demo_port of entry point main has default 8080, defaults/main.yml has '8080'" in text  # str vs int
    assert 'demo_extra is in defaults/main.yml but is no option' in text
    assert 'demo_missing of entry point main is not set in defaults/main.yml' in text
    assert 'demo_list of entry point main gives no default; defaults/main.yml has [a]' in text
    assert '__demo_internal' not in text and 'demo_token' not in text and 'demo_url' not in text
    assert len(lines) == 4


def test_an_option_of_another_entry_point_counts(tmp_path):
    specs = SPECS + '      destroy:\n        options:\n          demo_confirm: {type: bool, default: false}\n'
    path = role(tmp_path, 'demo_port: 8080\ndemo_url: http://localhost\ndemo_confirm: false\n', specs)
    assert check_argument_specs.problems(path) == []
    path = role(tmp_path / 'b', 'demo_port: 8080\ndemo_url: http://localhost\ndemo_confirm: 0\n', specs)
    assert check_argument_specs.problems(path) == [
        'option demo_confirm of entry point destroy has default false, defaults/main.yml has 0'
    ]


def test_a_role_without_argument_specs_is_reported(tmp_path):
    path = tmp_path / 'roles' / 'bare'
    (path / 'defaults').mkdir(parents=True)
    (path / 'defaults' / 'main.yml').write_text('bare_x: 1\n')
    assert check_argument_specs.problems(path) == ['no meta/argument_specs.yml (or argument_specs in meta/main.yml)']


def test_the_roles_of_this_collection_are_readable():
    for path in sorted((check_argument_specs.ROOT / 'roles').iterdir()):
        assert check_argument_specs.role_specs(path) is not None, path.name


@pytest.mark.parametrize(
    'requires, problem',
    [
        ('>=2.18.0,<2.22', None),
        ('>=2.18.0,<2.21.99', None),
        ('>=2.16.0', 'admits ansible-core 2.16, 2.17, 2.22, ..., 3.99, which CI does not test'),
        ('>=2.19.0,<2.22', 'excludes the tested release 2.18.19'),
        ('>=2.18.0,<2.23', 'admits ansible-core 2.22, which CI does not test'),
    ],
)
def test_requires_ansible_must_claim_the_tested_minors(requires, problem):
    found = check_requires_ansible.problems(requires, ['2.19.14', '2.18.19', '2.20.10', '2.21.5'])
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and problem in found[0], found


def test_a_minor_tested_twice_is_reported():
    found = check_requires_ansible.problems('>=2.19.0,<2.20', ['2.19.14', '2.19.1'])
    assert found == ['ansible-core 2.19 is tested twice (2.19.14, 2.19.1)']


def test_this_checkout_claims_what_the_makefile_tests():
    makefile = (check_requires_ansible.ROOT / 'Makefile').read_text()
    line = next(ln for ln in makefile.splitlines() if ln.startswith('COMPAT_VERSIONS ?='))
    assert check_requires_ansible.main(line.split('?=')[1].split()) == 0
