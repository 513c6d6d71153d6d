"""Sanity-check the generated references with real Keras.

  KERAS_BACKEND=jax python tools/keras_refs/verify.py keras3   # reload with Keras 3
  python tools/keras_refs/verify.py keras2                      # reload with tf-keras

For every prediction case: load_model(<case>.h5) (from both keras2/ and keras3/
where the loader supports it), predict on npz x, compare with npz y.  Also checks
that the weights-only files hold the same values as the full model files and that
train_*_init.h5 hold init_w*.  Prints a table; exit status 1 if a same-version
check fails (cross-version load failures are reported, not fatal).
"""
import json
import os
import sys

which = sys.argv[1] if len(sys.argv) > 1 else "keras3"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if which == "keras3":
    os.environ["KERAS_BACKEND"] = "jax"
    import keras  # noqa: E402
else:
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

with open(os.path.join(C.OUT, "manifest.json")) as f:
    MAN = json.load(f)

bad = 0
LOG = []
_print = print


def print(*a):  # noqa: A001  (also record the table)
    _print(*a)
    LOG.append(" ".join(str(x) for x in a))


for e in MAN["files"]:
    path = os.path.join(C.OUT, e["file"])
    src = e["file"].split("/")[0]
    same = src == which
    try:
        if e["kind"] == "model_h5_legacy":
            d = np.load(path[:-3] + ".npz")
            m = keras.models.load_model(path, compile=(e["case"] == "mlp_compiled"))
            xs = [d["x"]] if "x" in d.files else [d[k] for k in sorted(k for k in d.files if k[0] == "x" and k[1:].isdigit())]
            ys = [d["y"]] if "y" in d.files else [d[k] for k in sorted(k for k in d.files if k[0] == "y" and k[1:].isdigit())]
            p = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            p = p if isinstance(p, (list, tuple)) else [p]
            err = max(float(np.abs(np.asarray(a) - b).max()) for a, b in zip(p, ys))
            ok = err < 1e-5
            print("%-6s %-40s predict maxerr=%.2e %s" % (which, e["file"], err, "OK" if ok else "MISMATCH"))
        elif e["kind"] in ("weights_h5_keras3", "weights_h5_legacy"):
            full = path.replace(".weights.h5", ".h5").replace("_weights.h5", ".h5")
            m = keras.models.load_model(full, compile=False)
            ref = [np.asarray(w) for w in m.get_weights()]
            for w in m.weights:
                w.assign(np.zeros(w.shape, w.dtype if isinstance(w.dtype, str) else w.dtype.name))
            m.load_weights(path)
            err = max(float(np.abs(np.asarray(a) - b).max()) for a, b in zip(m.get_weights(), ref))
            ok = err == 0.0
            print("%-6s %-40s load_weights maxerr=%.2e %s" % (which, e["file"], err, "OK" if ok else "MISMATCH"))
        elif e["kind"] == "train_init_h5_legacy":
            d = np.load(path.replace("_init.h5", ".npz"))
            m = keras.models.load_model(path, compile=False)
            err = max(float(np.abs(np.asarray(a) - d["init_w%d" % i]).max()) for i, a in enumerate(m.get_weights()))
            ok = err == 0.0
            print("%-6s %-40s init weights maxerr=%.2e %s" % (which, e["file"], err, "OK" if ok else "MISMATCH"))
        else:
            continue
    except Exception as ex:  # noqa: BLE001
        ok = False
        print("%-6s %-40s LOAD FAILED: %s: %s" % (which, e["file"], type(ex).__name__, str(ex).splitlines()[0][:150]))
    if not ok and same:
        bad += 1
print("same-version failures:", bad)
with open(os.path.join(C.OUT, "VERIFY_%s.txt" % which), "w") as f:
    f.write("Reload check of tests/references with %s %s (tools/keras_refs/verify.py).\n" % (which, keras.__version__))
    f.write("\n".join(LOG) + "\n")
sys.exit(1 if bad else 0)
