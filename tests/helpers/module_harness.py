"""Call a module's main() in-process with arguments and capture its exit_json / fail_json result."""

import json

import pytest


def run_module(module, args, monkeypatch, check_mode=False, diff=False):
    """Call module.main() with args; return the JSON result (with 'failed' on fail_json, 'warnings' from warn())."""
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    payload = dict(args)
    payload["_ansible_check_mode"] = check_mode
    payload["_ansible_diff"] = diff
    payload["_ansible_remote_tmp"] = "/tmp"
    payload["_ansible_keep_remote_files"] = False
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:  # older ansible-core
        patch_module_args = None
    if patch_module_args is None:
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": payload})))
    captured = {}

    def fake_exit(self, **kw):
        kw.setdefault("changed", False)
        captured.update(kw)
        raise SystemExit(0)

    def fake_fail(self, msg, **kw):
        kw["failed"] = True
        kw["msg"] = msg
        captured.update(kw)
        raise SystemExit(1)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", fake_exit)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fake_fail)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, w: captured.setdefault("warnings", []).append(w))
    if patch_module_args is None:
        with pytest.raises(SystemExit):
            module.main()
    else:
        with patch_module_args(payload):
            with pytest.raises(SystemExit):
                module.main()
    return captured
