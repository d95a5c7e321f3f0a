# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hyperscaler.workstation contributors
# SPDX-License-Identifier: Apache-2.0
"""The post-deploy validator's reading of the cluster, as Python: ``kubectl get nodes -o json`` and
``kubectl get pods -A -o json`` turned into a machine-readable report (per node: Ready, its compute label, the
GPU resources it can allocate; the system pods that do not run) and the problems in it, each a sentence.

What the cluster should look like comes from cluster.yaml: the node names, which ones are GPU workers, and the
MIG strategy (``none``/``single`` advertise ``nvidia.com/gpu``, ``mixed`` one ``nvidia.com/mig-<profile>`` per
profile).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hyperscaler.workstation.plugins.module_utils._errors import HyperscalerError
from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubernetes import OWNER_LABEL
from ansible_collections.hyperscaler.workstation.plugins.module_utils._kubernetes_addons import SMOKE_BODY

SYSTEM_NAMESPACES = ('kube-system',)
_GOOD_PHASES = ('Running', 'Succeeded')


class KubernetesReportError(HyperscalerError):
    """kubectl's output is not what ``kubectl get ... -o json`` prints."""


def _items(doc, kind):
    if not isinstance(doc, dict) or doc.get('kind') != 'List' or not isinstance(doc.get('items'), list):
        raise KubernetesReportError('cluster_report: the %s document is not a kubectl -o json List' % kind)
    return doc['items']


def _ready(node):
    for cond in (node.get('status') or {}).get('conditions') or []:
        if cond.get('type') == 'Ready':
            return cond.get('status') == 'True'
    return False


def _gpu_resources(node):
    allocatable = (node.get('status') or {}).get('allocatable') or {}
    out = {}
    for name, value in allocatable.items():
        if name == 'nvidia.com/gpu' or name.startswith('nvidia.com/mig-'):
            try:
                count = int(str(value))
            except ValueError:
                count = 0
            if count:
                out[name] = count
    return out


def _pod_problem(pod):
    meta, status = pod.get('metadata') or {}, pod.get('status') or {}
    phase = status.get('phase')
    waiting = [
        (c.get('state') or {}).get('waiting', {}).get('reason')
        for c in status.get('containerStatuses') or []
        if (c.get('state') or {}).get('waiting')
    ]
    if phase in _GOOD_PHASES and not waiting:
        return None
    return '%s/%s is %s%s' % (
        meta.get('namespace'),
        meta.get('name'),
        phase or 'Unknown',
        ' (%s)' % ', '.join(sorted(set(r for r in waiting if r))) if waiting else '',
    )


def cluster_report(nodes_doc, pods_doc, expected_nodes, gpu_workers=(), mig_strategy='none', certificates=None):
    """``{ok, problems, nodes: {name: {ready, compute, gpus}}, system_pods_not_running, certificates_expiring}`` of a
    cluster that should have ``expected_nodes`` (names), of which ``gpu_workers`` advertise GPUs the way
    ``mig_strategy`` says; ``certificates`` is the control plane's ``kubeadm_certificates_info`` result."""
    nodes = {}
    for node in _items(nodes_doc, 'nodes'):
        meta = node.get('metadata') or {}
        nodes[meta.get('name')] = {
            'ready': _ready(node),
            'compute': (meta.get('labels') or {}).get('compute'),
            'gpus': _gpu_resources(node),
        }
    problems = []
    for name in sorted(set(expected_nodes) - set(nodes)):
        problems.append('node %s has not registered' % name)
    for name in sorted(set(nodes) - set(expected_nodes)):
        problems.append('node %s is in the cluster but not in cluster.yaml' % name)
    for name in sorted(n for n in nodes if n in expected_nodes and not nodes[n]['ready']):
        problems.append('node %s is not Ready' % name)
    for name in sorted(gpu_workers):
        gpus = nodes.get(name, {}).get('gpus') or {}
        if mig_strategy == 'mixed':
            if not any(r.startswith('nvidia.com/mig-') for r in gpus):
                problems.append('GPU worker %s advertises no nvidia.com/mig-* resource (mig_strategy mixed)' % name)
        elif not gpus.get('nvidia.com/gpu'):
            problems.append('GPU worker %s has no allocatable nvidia.com/gpu (mig_strategy %s)' % (name, mig_strategy))
        if mig_strategy != 'mixed' and any(r.startswith('nvidia.com/mig-') for r in gpus):
            problems.append('GPU worker %s advertises MIG resources although mig_strategy is %s' % (name, mig_strategy))
    pods = [p for p in _items(pods_doc, 'pods') if (p.get('metadata') or {}).get('namespace') in SYSTEM_NAMESPACES]
    not_running = sorted(filter(None, (_pod_problem(p) for p in pods)))
    problems.extend('system pod ' + p for p in not_running)
    if not pods:
        problems.append('no system pods in %s' % ', '.join(SYSTEM_NAMESPACES))
    expiring = list((certificates or {}).get('expiring') or [])
    for cert in expiring:
        state = (
            'expired %d days ago' % -cert['days_left']
            if cert['days_left'] < 0
            else 'expires in %d days' % cert['days_left']
        )
        problems.append(
            'certificate %s (%s) %s, on %s: kubeadm certs renew'
            % (cert['path'], cert['subject'], state, cert['not_after'])
        )
    return {
        'ok': not problems,
        'problems': problems,
        'nodes': nodes,
        'system_pods_not_running': not_running,
        'certificates_expiring': expiring,
    }


def stale_nodes(nodes_doc, names, cluster):
    """The Nodes to remove, ``[{name, ready}]``: those of ``kubectl get nodes -o json`` that carry this cluster's
    owner label (``hyperscaler.workstation/cluster=<cluster>``) but are not in ``names`` (the nodes cluster.yaml
    lists). A Node without the label was not registered by this collection and is never returned. ``ready``: a
    Ready node is drained first; one whose VM is gone is only deleted (its pods are collected with it)."""
    if not cluster:
        raise KubernetesReportError('stale_nodes: no cluster key to match the owner label with')
    wanted = set(names or [])
    out = []
    for node in _items(nodes_doc, 'nodes'):
        meta = node.get('metadata') or {}
        if (meta.get('labels') or {}).get(OWNER_LABEL) == cluster and meta.get('name') not in wanted:
            out.append({'name': meta.get('name'), 'ready': _ready(node)})
    return sorted(out, key=lambda n: n['name'])


def smoke_report(pods_doc, claims_doc, objects, ingress=None, expected_body=SMOKE_BODY):
    """``{ok, problems, pods: {name: phase}, claims: {name: phase}, ingress}`` of the validator's smoke workloads:
    ``objects`` are what it applied (``kubernetes_smoke_objects``); ``pods_doc``/``claims_doc`` what ``kubectl get
    pods|pvc -n <namespace> -o json`` printed after the wait. A pod with ``restartPolicy: Never`` must have
    Succeeded, one that restarts must be Running; every claim Bound; ``ingress`` (the ``ansible.builtin.uri``
    result of the smoke path through the ingress controller's NodePort, when there is an Ingress) must answer 200
    with ``expected_body``."""
    pods = dict(((p.get('metadata') or {}).get('name'), p) for p in _items(pods_doc, 'pods'))
    claims = dict(((c.get('metadata') or {}).get('name'), c) for c in _items(claims_doc, 'claims'))
    problems, pod_phases, claim_phases = [], {}, {}
    for obj in objects or []:
        kind, name = obj.get('kind'), obj['metadata']['name']
        if kind == 'Pod':
            want = 'Succeeded' if obj['spec'].get('restartPolicy') == 'Never' else 'Running'
            phase = ((pods.get(name) or {}).get('status') or {}).get('phase')
            pod_phases[name] = phase
            if name not in pods:
                problems.append('smoke pod %s does not exist' % name)
            elif phase != want:
                problems.append('smoke pod %s is %s, not %s' % (name, phase or 'Unknown', want))
        elif kind == 'PersistentVolumeClaim':
            phase = ((claims.get(name) or {}).get('status') or {}).get('phase')
            claim_phases[name] = phase
            if phase != 'Bound':
                problems.append('smoke claim %s is %s, not Bound' % (name, phase or 'missing'))
    answered = None
    if any(o.get('kind') == 'Ingress' for o in objects or []):
        status = (ingress or {}).get('status')
        body = (ingress or {}).get('content') or ''
        answered = status == 200 and expected_body in body
        if not answered:
            what = 'nothing (%s)' % (ingress or {}).get('msg') if status in (None, -1) else status
            problems.append('the ingress answered %s, not 200 with %r' % (what, expected_body))
    return {'ok': not problems, 'problems': problems, 'pods': pod_phases, 'claims': claim_phases, 'ingress': answered}
