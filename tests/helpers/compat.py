"""What differs between the ansible-core releases the tests run on (requires_ansible in meta/runtime.yml)."""

__all__ = ["trust_as_template", "WARNINGS_KEEP_LINES"]

try:  # ansible-core >= 2.19 templates only strings explicitly trusted as templates
    from ansible.template import trust_as_template
except ImportError:  # ansible-core 2.18 templates every string

    def trust_as_template(value):
        return value


def _core_minor():
    from ansible.release import __version__

    return tuple(int(part) for part in __version__.split('.')[:2])


# ansible-core 2.18 folds every warning to 80 columns (textwrap), so a multi-line message loses its line breaks;
# 2.19 prints it as written.
WARNINGS_KEEP_LINES = _core_minor() >= (2, 19)
