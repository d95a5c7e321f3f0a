# -*- coding: utf-8 -*-
# SPDX-License-Identifier: Apache-2.0
"""The validator's reading of its smoke workloads: kubectl's Pod and PersistentVolumeClaim Lists (written here
after the v1 API reference, not recorded: no API server runs on this machine) and the answer of the Ingress."""

import pytest

from ansible_collections.hyperscaler.workstation.plugins.module_utils import _kubernetes_addons
from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubernetes_report import (
    KubernetesReportError,
    smoke_report,
)

NODES = [
    {'name': 'cp', 'ip': '192.168.200.10', 'role': 'control_plane'},
    {'name': 'cpu', 'ip': '192.168.200.11', 'role': 'cpu_worker'},
]
OBJECTS = _kubernetes_addons.smoke_objects({}, NODES)


def _list(kind, phases):
    return {
        'apiVersion': 'v1',
        'kind': 'List',
        'items': [
            {
                'apiVersion': 'v1',
                'kind': kind,
                'metadata': {'name': n, 'namespace': 'hsw-smoke'},
                'status': {'phase': p},
            }
            for n, p in phases.items()
        ],
        'metadata': {'resourceVersion': ''},
    }


def _answer(status, content=''):
    return {'status': status, 'content': content, 'msg': 'OK (%d bytes)' % len(content)}


def _all_ran(answer):
    return smoke_report(
        _list('Pod', {'smoke-cpu': 'Succeeded', 'smoke-web': 'Running'}),
        _list('PersistentVolumeClaim', {'smoke-data': 'Bound'}),
        OBJECTS,
        answer,
    )


def test_everything_ran():
    report = _all_ran(_answer(200, 'hyperscaler-smoke\n'))
    assert report == {
        'ok': True,
        'problems': [],
        'pods': {'smoke-cpu': 'Succeeded', 'smoke-web': 'Running'},
        'claims': {'smoke-data': 'Bound'},
        'ingress': True,
    }


def test_each_problem_is_named():
    report = smoke_report(
        _list('Pod', {'smoke-cpu': 'Failed'}),
        _list('PersistentVolumeClaim', {'smoke-data': 'Pending'}),
        OBJECTS,
        {'status': -1, 'msg': 'Status code was -1: Connection refused'},
    )
    assert not report['ok']
    assert report['problems'] == [
        'smoke claim smoke-data is Pending, not Bound',
        'smoke pod smoke-cpu is Failed, not Succeeded',
        'smoke pod smoke-web does not exist',
        "the ingress answered nothing (Status code was -1: Connection refused), not 200 with 'hyperscaler-smoke'",
    ]


def test_a_404_from_the_controller_is_not_an_answer():
    report = _all_ran(_answer(404, '404 page not found'))
    assert report['problems'] == ["the ingress answered 404, not 200 with 'hyperscaler-smoke'"]


def test_what_is_not_a_kubectl_list_is_refused():
    with pytest.raises(KubernetesReportError):
        smoke_report({'kind': 'Pod'}, _list('PersistentVolumeClaim', {}), OBJECTS)
