"""What MLflow's clients see: the molecule scenario's probe of the tracking server over its REST API.

Usage: mlflow_check.py URL ADMIN_CREDENTIALS ALICE_PASSWORD_FILE BOB_PASSWORD_FILE S3_ENDPOINT S3_CREDENTIALS
-> one JSON document. ADMIN_CREDENTIALS is the role's one-line user:password file.
"""

import base64
import json
import os
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config


def call(url, path, user=None, body=None, method=None, data=None):
    """(HTTP status, decoded JSON or text) of one request, with basic auth for ``user`` = (name, password)."""
    headers = {}
    if user:
        headers['Authorization'] = 'Basic ' + base64.b64encode(('%s:%s' % user).encode()).decode()
    if body is not None:
        data = json.dumps(body).encode()
        headers['Content-Type'] = 'application/json'
    request = urllib.request.Request(url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def main(url, admin_file, alice_file, bob_file, s3_endpoint, s3_credentials):
    admin = tuple(open(admin_file).read().strip().split(':', 1))
    alice = ('alice', open(alice_file).read().strip())
    bob = ('bob', open(bob_file).read().strip())
    out = {'admin_file_lines': len(open(admin_file).read().splitlines())}
    out['anonymous_create'] = call(url, '/api/2.0/mlflow/experiments/create', body={'name': 'anonymous'})[0]
    out['wrong_password'] = call(url, '/api/2.0/mlflow/experiments/search?max_results=1', ('alice', 'nope'))[0]

    status, answer = call(url, '/api/2.0/mlflow/experiments/create', admin, {'name': 'admins-%d' % os.getpid()})
    admins = answer['experiment_id']
    # alice has READ (the default permission) on what she did not create: she reads it, cannot log to it.
    out['alice_reads_admins'] = call(url, '/api/2.0/mlflow/experiments/get?experiment_id=' + admins, alice)[0]
    out['alice_logs_to_admins'] = call(url, '/api/2.0/mlflow/runs/create', alice, {'experiment_id': admins})[0]

    status, answer = call(url, '/api/2.0/mlflow/experiments/create', alice, {'name': 'alice-%d' % os.getpid()})
    out['alice_creates'] = status
    experiment = answer['experiment_id']
    status, answer = call(url, '/api/2.0/mlflow/runs/create', alice, {'experiment_id': experiment})
    run = answer['run']['info']
    out['alice_run'] = status
    out['alice_metric'] = call(
        url,
        '/api/2.0/mlflow/runs/log-metric',
        alice,
        {'run_id': run['run_id'], 'key': 'rmse', 'value': 0.25, 'timestamp': 0},
    )[0]
    out['bob_logs_to_alices'] = call(url, '/api/2.0/mlflow/runs/create', bob, {'experiment_id': experiment})[0]

    # An artifact through the server's proxy (the client holds no object-store key), then straight from the bucket.
    artifact = '%s/%s/artifacts/model.txt' % (experiment, run['run_id'])
    out['artifact_uri'] = run['artifact_uri']
    body = b'weights 0.5 0.25\n'
    out['artifact_put'] = call(url, '/api/2.0/mlflow-artifacts/artifacts/' + artifact, alice, method='PUT', data=body)[
        0
    ]
    out['artifact_get'] = call(url, '/api/2.0/mlflow-artifacts/artifacts/' + artifact, alice)[1] == body.decode()
    os.environ['AWS_SHARED_CREDENTIALS_FILE'] = s3_credentials
    config = Config(
        s3={'addressing_style': 'path'},
        request_checksum_calculation='when_required',
        response_checksum_validation='when_required',
    )
    s3 = boto3.client('s3', endpoint_url=s3_endpoint, region_name='us-east-1', config=config)
    out['artifact_in_bucket'] = s3.get_object(Bucket='mlflow-artifacts', Key=artifact)['Body'].read() == body

    # The model registry: a registered model and its first version from the run's artifacts.
    name = 'alice-model-%d' % os.getpid()
    out['model_create'] = call(url, '/api/2.0/mlflow/registered-models/create', alice, {'name': name})[0]
    status, answer = call(
        url,
        '/api/2.0/mlflow/model-versions/create',
        alice,
        {'name': name, 'source': run['artifact_uri'], 'run_id': run['run_id']},
    )
    out['model_version'] = answer.get('model_version', {}).get('version') if status == 200 else status
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == '__main__':
    main(*sys.argv[1:7])
