"""Write a one-layer OCI image layout (image-spec 1.0: oci-layout, index.json, blobs/sha256/) holding /hello, tagged
as given: an image for skopeo to push, made without a container engine or a registry to pull from.
Usage: oci_layout.py DIR TAG"""

import hashlib
import gzip
import io
import json
import os
import sys
import tarfile

root, tag = sys.argv[1], sys.argv[2]
blobs = os.path.join(root, 'blobs', 'sha256')
os.makedirs(blobs, exist_ok=True)


def blob(data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), 'wb') as handle:
        handle.write(data)
    return {'mediaType': media_type, 'digest': 'sha256:' + digest, 'size': len(data)}


layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode='w') as tar:
    content = b'hello from the registry scenario\n'
    info = tarfile.TarInfo('hello')
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))
layer = layer.getvalue()
diff_id = 'sha256:' + hashlib.sha256(layer).hexdigest()
config = blob(
    json.dumps({'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', 'diff_ids': [diff_id]}}).encode(),
    'application/vnd.oci.image.config.v1+json',
)
manifest = {
    'schemaVersion': 2,
    'mediaType': 'application/vnd.oci.image.manifest.v1+json',
    'config': config,
    # gzip, as registries serve layers (skopeo would compress a plain tar on the way, changing the digest)
    'layers': [blob(gzip.compress(layer, mtime=0), 'application/vnd.oci.image.layer.v1.tar+gzip')],
}
entry = blob(json.dumps(manifest).encode(), manifest['mediaType'])
entry['annotations'] = {'org.opencontainers.image.ref.name': tag}
with open(os.path.join(root, 'index.json'), 'w') as handle:
    json.dump({'schemaVersion': 2, 'manifests': [entry]}, handle)
with open(os.path.join(root, 'oci-layout'), 'w') as handle:
    json.dump({'imageLayoutVersion': '1.0.0'}, handle)
print(entry['digest'])
