"""Compare what ansible-inventory prints as plain data."""


def strip_unsafe(value):
    """ansible-core 2.19 wraps inventory strings as {"__ansible_unsafe": ...}; compare plain values."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {k: strip_unsafe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_unsafe(v) for v in value]
    return value
