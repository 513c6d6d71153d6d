"""Load files symk wrote (tools/symk_write_checkfiles.py) with real Keras and compare predictions.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/check_symk_files.py DIR keras3
    /tmp/kerasref/bin/python tools/keras_refs/check_symk_files.py DIR keras2

Never imports symk. For every case in DIR/catalog.json:
  keras3: load_model(<case>.h5) and predict on the npz inputs (vs symk's npz predictions);
          load_weights(<case>.weights.h5) and load_weights(<case>_weights.h5) into a zeroed copy;
          for compiled files: optimizer.iterations and the optimizer's variables equal what symk saved,
          and training resumes (one more epoch moves iterations on and keeps the loss finite).
  keras2: tf_keras cannot read Keras 3 configs (InputLayer `batch_shape`, DTypePolicy dicts), as with
          Keras 3's own files; it tries load_model anyway and reports, then reads the legacy weights
          file into the architecture rebuilt from a Keras-2-style copy of the config.
Writes DIR/REPORT_<version>.json (per check: ok, max error, Keras's predictions) and prints a table.
Exit status 1 when a keras3 check fails (keras2 failures are reported, not fatal).
"""
import copy
import json
import os
import sys

DIR = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
WHICH = sys.argv[2] if len(sys.argv) > 2 else "keras3"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if WHICH == "keras3":
    os.environ["KERAS_BACKEND"] = "jax"
    import keras  # noqa: E402
else:
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as keras  # noqa: E402
import h5py  # noqa: E402
import numpy as np  # noqa: E402

TOLERANCE = 1e-5


def npz_list(data, prefix):
    if prefix in data.files:
        return [data[prefix]]
    keys = sorted((k for k in data.files if k[:1] == prefix and k[1:].isdigit()), key=lambda k: int(k[1:]))
    return [data[k] for k in keys]


def predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def max_error(got, want):
    if len(got) != len(want):
        raise AssertionError(f"{len(got)} outputs, symk saved {len(want)}")
    return max(float(np.abs(np.asarray(a, np.float64) - b).max()) for a, b in zip(got, want))


def zero_weights(model):
    for w in model.weights:
        w.assign(np.zeros(tuple(w.shape), np.dtype(getattr(w.dtype, "name", w.dtype))))


def check_keras3(case, data, path):
    """Checks for one case with Keras 3: list of (check name, ok, detail dict)."""
    xs, ys = npz_list(data, "x"), npz_list(data, "y")
    results = []
    compiled = "iterations" in data.files
    model = keras.models.load_model(path + ".h5", compile=compiled)
    got = predict(model, xs)
    err = max_error(got, ys)
    results.append(("load_model+predict", err < TOLERANCE, {"max_error": err, "keras_y": [g.tolist() for g in got]}))
    if compiled:
        iterations = int(np.asarray(model.optimizer.iterations))
        saved = [data[f"opt_{i}"] for i in range(sum(k.startswith("opt_") for k in data.files))]
        current = [np.asarray(v) for v in model.optimizer.variables]
        names = [v.path for v in model.optimizer.variables]
        slot_err = (max(float(np.abs(np.asarray(a, np.float64) - b).max()) for a, b in zip(current, saved))
                    if len(current) == len(saved) else float("inf"))
        ok = iterations == int(data["iterations"]) and slot_err == 0.0
        results.append(("optimizer state", ok, {"iterations": iterations, "saved_iterations": int(data["iterations"]),
                                                "keras_variables": names, "max_error": slot_err,
                                                "counts": [len(current), len(saved)]}))
        history = model.fit(data["x_train"], data["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
        after = int(np.asarray(model.optimizer.iterations))
        loss = history.history["loss"][-1]
        results.append(("resume training", after == iterations + 3 and np.isfinite(loss),
                        {"iterations_after": after, "loss": float(loss)}))
    for suffix in (".weights.h5", "_weights.h5"):
        fresh = keras.models.load_model(path + ".h5", compile=False)
        zero_weights(fresh)
        fresh.load_weights(path + suffix)
        got = predict(fresh, xs)
        err = max_error(got, ys)
        results.append((f"load_weights({suffix})", err < TOLERANCE, {"max_error": err}))
    if compiled:  # a compiled model's .weights.h5 carries the optimizer too
        fresh = keras.models.load_model(path + ".h5", compile=True)
        fresh.optimizer.build(fresh.trainable_variables)
        fresh.load_weights(path + ".weights.h5")
        iterations = int(np.asarray(fresh.optimizer.iterations))
        results.append(("load_weights(.weights.h5) optimizer", iterations == int(data["iterations"]),
                        {"iterations": iterations}))
    return results


def keras2_config(value):
    """A Keras 3 config made readable by tf_keras: batch_shape -> batch_input_shape, DTypePolicy -> name."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy":
            return value["config"]["name"]
        if value.get("class_name") == "__keras_tensor__":
            return value
        out = {k: keras2_config(v) for k, v in value.items() if k not in ("module", "registered_name")}
        if "batch_shape" in out:
            out["batch_input_shape"] = out.pop("batch_shape")
        return out
    if isinstance(value, list):
        return [keras2_config(v) for v in value]
    return value


def check_keras2(case, data, path):
    xs, ys = npz_list(data, "x"), npz_list(data, "y")
    results = []
    try:
        model = keras.models.load_model(path + ".h5", compile=False)
        err = max_error(predict(model, xs), ys)
        results.append(("load_model+predict", err < TOLERANCE, {"max_error": err}))
    except Exception as ex:  # noqa: BLE001  (expected: tf_keras reads no Keras 3 config, Keras's own files included)
        results.append(("load_model+predict", False, {"error": f"{type(ex).__name__}: {str(ex).splitlines()[0][:160]}"}))
    with h5py.File(path + ".h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
    if config["class_name"] != "Sequential":
        results.append(("load_weights(_weights.h5)", False, {"error": "skipped: functional Keras 3 configs "
                                                                      "(keras tensors in inbound_nodes) have no tf_keras form"}))
        return results
    try:
        model = keras.Sequential.from_config(keras2_config(copy.deepcopy(config["config"])))
        model.load_weights(path + "_weights.h5")
        err = max_error(predict(model, xs), ys)
        results.append(("load_weights(_weights.h5)", err < TOLERANCE, {"max_error": err}))
    except Exception as ex:  # noqa: BLE001
        results.append(("load_weights(_weights.h5)", False,
                        {"error": f"{type(ex).__name__}: {str(ex).splitlines()[0][:160]}"}))
    return results


def main():
    with open(os.path.join(DIR, "catalog.json")) as f:
        catalog = json.load(f)
    report, failures = {"keras": f"{WHICH} {keras.__version__}", "cases": {}}, 0
    for entry in catalog["cases"]:
        case = entry["case"]
        path = os.path.join(DIR, case)
        data = np.load(path + ".npz")
        try:
            results = (check_keras3 if WHICH == "keras3" else check_keras2)(case, data, path)
        except Exception as ex:  # noqa: BLE001
            results = [("load", False, {"error": f"{type(ex).__name__}: {str(ex).splitlines()[0][:300]}"})]
        report["cases"][case] = [{"check": name, "ok": bool(ok), **detail} for name, ok, detail in results]
        for name, ok, detail in results:
            shown = {k: v for k, v in detail.items() if k not in ("keras_y", "keras_variables")}
            print(f"{WHICH:6s} {case:28s} {name:38s} {'OK' if ok else 'FAIL'} {shown}")
            failures += not ok
    report["failures"] = failures
    with open(os.path.join(DIR, f"REPORT_{WHICH}.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(f"{WHICH}: {failures} failed check(s)")
    sys.exit(1 if failures and WHICH == "keras3" else 0)


if __name__ == "__main__":
    main()
