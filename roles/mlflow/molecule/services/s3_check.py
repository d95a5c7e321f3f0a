"""What an S3 client sees: the molecule scenario's probe of the object store, with boto3 as MLflow and DVC use it.

Usage: s3_check.py ENDPOINT CREDENTIALS_FILE OTHER_CREDENTIALS_FILE -> one JSON document. The files are the role's
AWS shared credentials files; the first one is used the way a user would, through AWS_SHARED_CREDENTIALS_FILE.
"""

import configparser
import hashlib
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError


def keys(credentials_file):
    profile = configparser.ConfigParser()
    profile.read(credentials_file)
    return profile['default']['aws_access_key_id'], profile['default']['aws_secret_access_key']


def client(endpoint, key=None, secret=None, checksums='when_required'):
    config = Config(
        signature_version='s3v4',
        s3={'addressing_style': 'path'},
        request_checksum_calculation=checksums,
        response_checksum_validation=checksums,
        retries={'max_attempts': 1},
    )
    return boto3.client(
        's3',
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name='us-east-1',
        config=config,
    )


def error_code(call):
    """The S3 error code of a refused call (its HTTP status where the answer has none), or None."""
    try:
        call()
    except ClientError as exc:
        return exc.response['Error']['Code'] or str(exc.response['ResponseMetadata']['HTTPStatusCode'])
    return None


def main(endpoint, credentials_file, other_credentials_file):
    os.environ['AWS_SHARED_CREDENTIALS_FILE'] = credentials_file
    s3 = client(endpoint)
    key, secret = keys(credentials_file)
    out = {'buckets': sorted(b['Name'] for b in s3.list_buckets()['Buckets'])}

    body = b'hyperscaler.workstation object store\n'
    put = s3.put_object(Bucket='datasets', Key='hello.txt', Body=body)
    out['etag_is_md5'] = put['ETag'].strip('"') == hashlib.md5(body).hexdigest()
    out['get_equal'] = s3.get_object(Bucket='datasets', Key='hello.txt')['Body'].read() == body

    # boto3's default (a CRC checksum on every upload): whether this server takes it.
    out['default_checksums_put'] = (
        error_code(
            lambda: client(endpoint, key, secret, 'when_supported').put_object(
                Bucket='datasets', Key='crc.txt', Body=body
            )
        )
        or 'ok'
    )

    # A multipart upload (three parts; Swift's SLO underneath), downloaded again.
    data = os.urandom(12 * 1024 * 1024)
    path = os.path.join(os.path.dirname(credentials_file), 'big.bin')
    with open(path, 'wb') as handle:
        handle.write(data)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_file(path, 'scratch', 'big.bin', Config=config)
    s3.download_file('scratch', 'big.bin', path + '.back', Config=config)
    with open(path + '.back', 'rb') as handle:
        out['multipart_sha256_equal'] = hashlib.sha256(handle.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    out['multipart_etag'] = s3.head_object(Bucket='scratch', Key='big.bin')['ETag'].strip('"')

    # The second user of the account reads what the first wrote; wrong or unknown credentials are refused.
    other = client(endpoint, *keys(other_credentials_file))
    out['other_user_reads'] = other.get_object(Bucket='datasets', Key='hello.txt')['Body'].read() == body
    out['wrong_secret'] = error_code(lambda: client(endpoint, key, 'not-the-key').list_buckets())
    out['unknown_key'] = error_code(lambda: client(endpoint, 'hyperscaler:nobody', secret).list_buckets())
    out['anonymous'] = error_code(
        lambda: boto3.client(
            's3', endpoint_url=endpoint, region_name='us-east-1', config=Config(signature_version=UNSIGNED)
        ).get_object(Bucket='datasets', Key='hello.txt')
    )
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == '__main__':
    main(*sys.argv[1:4])
