#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes an OCI image archive (an image layout in a tar, as `ctr images import` and
# `podman load` read it) of one layer: the given root filesystem, a config that runs CMD, and
# the name in the index's annotations. No registry and no image tool: the tests run offline.
# Usage: oci-image.py ROOTFS-DIR OUT.tar NAME [CMD...]
import hashlib
import io
import json
import sys
import tarfile


def blob(out, data, media_type):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest.split(":")[1])
    info.size = len(data)
    out.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": digest, "size": len(data)}


def main():
    rootfs, path, name, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:] or ["/bin/sh"]
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        t.add(rootfs, arcname=".")
    layer = layer.getvalue()
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": cmd, "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    with tarfile.open(path, mode="w") as out:
        layout = json.dumps({"imageLayoutVersion": "1.0.0"}).encode()
        info = tarfile.TarInfo("oci-layout")
        info.size = len(layout)
        out.addfile(info, io.BytesIO(layout))
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": blob(out, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json"),
            "layers": [blob(out, layer, "application/vnd.oci.image.layer.v1.tar")],
        }
        desc = blob(out, json.dumps(manifest).encode(), manifest["mediaType"])
        desc["annotations"] = {
            "io.containerd.image.name": name,
            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1],
        }
        desc["platform"] = {"architecture": "amd64", "os": "linux"}
        index = json.dumps({"schemaVersion": 2, "manifests": [desc]}).encode()
        info = tarfile.TarInfo("index.json")
        info.size = len(index)
        out.addfile(info, io.BytesIO(index))


if __name__ == "__main__":
    main()
