"""Merge the per-version manifest parts, check every output opens, write
tests/references/manifest.json and tests/references/LAYOUT.txt.

Needs only numpy + h5py (no Keras).  Run after make_keras3.py / make_keras2.py.
"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

MAX_ATTR = 300
FULL_DUMP = ["keras3/mlp_compiled.h5", "keras2/mlp_compiled.h5", "keras3/nested.h5", "keras2/nested.h5"]


def attr_repr(v):
    if isinstance(v, bytes):
        t, s = "bytes", v.decode("utf-8", "replace")
    elif isinstance(v, str):
        t, s = "str", v
    elif isinstance(v, np.ndarray):
        t = "ndarray[%s]%s" % (v.dtype, list(v.shape))
        s = repr([x.decode() if isinstance(x, bytes) else x for x in v.tolist()])
    else:
        t, s = type(v).__name__, repr(v)
    if len(s) > MAX_ATTR:
        s = s[:MAX_ATTR] + "... (%d chars total)" % len(s)
    return t, s


def h5_tree(path):
    lines = []

    def attrs(obj, ind):
        for k in obj.attrs:
            # access through the low-level id to report the stored HDF5 type
            aid = h5py.h5a.open(obj.id, k.encode())
            dt = aid.dtype
            space = aid.shape
            sinfo = h5py.check_string_dtype(dt)
            if sinfo is not None:
                dt = ("vlen-str(%s)" if sinfo.length is None else "fixed-str[%d](%%s)" % sinfo.length) % sinfo.encoding
            t, s = attr_repr(obj.attrs[k])
            lines.append("%s@%s  <hdf5 dtype=%s shape=%s; h5py->%s> = %s" % (ind, k, dt, space, t, s))

    with h5py.File(path, "r") as f:
        lines.append("/  (root)")
        attrs(f, "  ")

        def visit(name, obj):
            depth = name.count("/") + 1
            ind = "  " * depth
            if isinstance(obj, h5py.Dataset):
                lines.append("%s%s  [dataset %s %s]" % (ind, name.split("/")[-1], obj.dtype, list(obj.shape)))
            else:
                lines.append("%s%s/" % (ind, name.split("/")[-1]))
            attrs(obj, ind + "  ")
        f.visititems(visit)
    return lines


def h5_info(path):
    info = {"root_attrs": {}, "groups": [], "datasets": {}}
    with h5py.File(path, "r") as f:
        for k in f.attrs:
            v = f.attrs[k]
            info["root_attrs"][k] = type(v).__name__
        for k in ("keras_version", "backend"):
            if k in f.attrs:
                v = f.attrs[k]
                info[k] = v.decode() if isinstance(v, bytes) else str(v)

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                info["datasets"][name] = {"shape": list(obj.shape), "dtype": str(obj.dtype)}
            else:
                info["groups"].append(name)
        f.visititems(visit)
    return info


def npz_info(path):
    with np.load(path) as d:
        return {k: {"shape": list(d[k].shape), "dtype": str(d[k].dtype)} for k in d.files}


def main():
    out = C.OUT
    files = []
    versions = {}
    for sub in ("keras3", "keras2"):
        part = os.path.join(out, sub, "_manifest_part.json")
        if not os.path.exists(part):
            print("WARNING: missing", part)
            continue
        with open(part) as f:
            p = json.load(f)
        versions[sub] = {k: v for k, v in p.items() if k != "entries"}
        files.extend(p["entries"])
    listed = set()
    for e in files:
        path = os.path.join(out, e["file"])
        e["bytes"] = os.path.getsize(path)
        if path.endswith(".npz"):
            e["npz_keys"] = npz_info(path)
        else:
            e["h5"] = h5_info(path)
        listed.add(e["file"])
    # everything on disk must be listed
    for sub in ("keras3", "keras2"):
        d = os.path.join(out, sub)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if fn == "_manifest_part.json" or os.path.isdir(os.path.join(d, fn)):
                continue  # sub-folders (ops/, layers_*/, ...) are written and described by their own scripts
            assert sub + "/" + fn in listed, "unlisted file " + sub + "/" + fn
    manifest = {
        "about": "Reference data generated from real Keras by tools/keras_refs/*.py (see tools/keras_refs/README.md). "
                 "Paths are relative to tests/references/. 'keras3/' files were written by Keras 3 with the JAX "
                 "backend; 'keras2/' files by tf-keras (Keras 2 API on TensorFlow). All float data is float32 unless "
                 "a key's dtype says otherwise. npz: single input/output -> keys x / y; multiple -> x0, x1 ... / y0, y1 "
                 "... in model.inputs / model.outputs order. Training npz: hist_<key> is history.history[key] (one "
                 "value per epoch; Keras reports the epoch loss as the sample-count-weighted mean of the per-batch "
                 "losses, which for the partial last batch (50 = 16+16+16+2, or 40 = 16+16+8 with validation_split) "
                 "matters). validation_split takes the LAST 20% of samples (no shuffling) as validation data. "
                 "losses_metrics.npz keys contain '/' (e.g. 'loss/huber'); np.load handles them as plain keys.",
        "common": {
            "train_data": "x = RandomState(%d).uniform(-1,1,(50,6)); labels drawn next from the same stream "
                          "(see tools/keras_refs/common.py train_data); the same x/y/init weights are used by both "
                          "keras versions, so keras2/ and keras3/ training results are directly comparable."
                          % C.TRAIN_SEED,
            "train_batch_size": C.BATCH, "train_epochs": C.EPOCHS, "train_shuffle": False,
        },
        "versions": versions,
        "files": files,
    }
    C.write_json(os.path.join(out, "manifest.json"), manifest)

    lay = ["HDF5 layouts of every .h5 file under tests/references/ (generated by tools/keras_refs/build_manifest.py).",
           "Format: '@name <hdf5 dtype=... shape=...; h5py->python type> = value' for attributes (values over %d chars"
           " truncated), '[dataset dtype shape]' for datasets. Full model_config/training_config JSON for a few files"
           " is printed at the end." % MAX_ATTR, ""]
    for e in files:
        if e["file"].endswith(".h5"):
            lay.append("=" * 100)
            lay.append("FILE %s   (%s; %s; %d bytes)" % (e["file"], e["writer"], e["kind"], e["bytes"]))
            lay.append("=" * 100)
            lay.extend(h5_tree(os.path.join(out, e["file"])))
            lay.append("")
    lay.append("#" * 100)
    lay.append("FULL JSON ATTRIBUTES")
    for rel in FULL_DUMP:
        p = os.path.join(out, rel)
        if not os.path.exists(p):
            continue
        with h5py.File(p, "r") as f:
            for k in ("model_config", "training_config"):
                if k in f.attrs:
                    v = f.attrs[k]
                    v = v.decode() if isinstance(v, bytes) else v
                    lay.append("-" * 100)
                    lay.append("%s @%s:" % (rel, k))
                    lay.append(json.dumps(json.loads(v), indent=1))
    with open(os.path.join(out, "LAYOUT.txt"), "w") as f:
        f.write("\n".join(lay) + "\n")
    total = sum(e["bytes"] for e in files)
    print("manifest: %d files, %.1f KB of data" % (len(files), total / 1024.0))


if __name__ == "__main__":
    main()
