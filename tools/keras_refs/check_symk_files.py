"""Load files symk wrote (tools/symk_write_checkfiles.py) with real Keras and compare predictions.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/check_symk_files.py DIR keras3 [--export DEST case ...]
    /tmp/kerasref/bin/python tools/keras_refs/check_symk_files.py DIR keras2
    /tmp/kerasref/bin/python tools/keras_refs/check_symk_files.py DIR2 keras2w [--export DEST case ...]

Never imports symk. For every case in DIR/catalog.json:
  keras3: load_model(<case>.h5) and predict on the npz inputs (vs symk's npz predictions);
          load_weights(<case>.weights.h5) and load_weights(<case>_weights.h5) into a zeroed copy;
          for compiled files: optimizer.iterations and the optimizer's variables equal what symk saved,
          and training resumes (one more epoch moves iterations on and keeps the loss finite);
          <case>.keras (Keras 3's archive): load_model + predict, load_weights, optimizer state, resume, resave.
  keras2: tf_keras cannot read Keras 3 configs (InputLayer `batch_shape`, DTypePolicy dicts), as with
          Keras 3's own files; it tries load_model anyway and reports, then reads the legacy weights
          file into the architecture rebuilt from a Keras-2-style copy of the config.
  keras2w: for files symk wrote with keras_version=2 (symk_write_checkfiles.py DIR2 --keras-version 2):
          tf_keras load_model(<case>.h5) and predict; load_weights(<case>_weights.h5) into a zeroed copy;
          compiled files: iterations and optimizer variables (names, values) equal symk's, training resumes,
          and tf_keras saves the resumed model (<case>.tfkeras_resaved.h5/.npz) for symk's tests to read.
--export copies the named cases, with a manifest.json of Keras's results, to DEST
(tests/references/symk_written/); --export-archives DEST case ... copies only their .keras archives (and what
Keras resaved from them) to DEST (tests/references/symk_written_keras/).
Writes DIR/REPORT_<version>.json (per check: ok, max error, Keras's predictions) and prints a table.
Exit status 1 when a keras3 or keras2w check fails (keras2 failures are reported, not fatal).
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
else:  # keras2 and keras2w
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


def describe(error, limit=160):
    return f"{type(error).__name__}: {str(error).splitlines()[0][:limit]}"


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
        results += check_optimizer_state(data, path)
    for suffix in (".weights.h5", "_weights.h5"):
        fresh = keras.models.load_model(path + ".h5", compile=False)
        zero_weights(fresh)
        fresh.load_weights(path + suffix)
        got = predict(fresh, xs)
        err = max_error(got, ys)
        results.append((f"load_weights({suffix})", err < TOLERANCE, {"max_error": err}))
    if os.path.exists(path + ".keras"):
        results += check_archive(data, path, compiled)
    return results


def check_archive(data, path, compiled):
    """symk's .keras archive in Keras 3: load_model + predict, load_weights, and for compiled files the optimizer
    state, resuming training and resaving (<case>.keras_resaved.keras / .keras_resaved_archive.npz)."""
    xs, ys = npz_list(data, "x"), npz_list(data, "y")
    model = keras.models.load_model(path + ".keras")
    got = predict(model, xs)
    err = max_error(got, ys)
    results = [("keras: load_model+predict", err < TOLERANCE, {"max_error": err, "keras_y": [g.tolist() for g in got]})]
    fresh = keras.models.load_model(path + ".keras", compile=False)
    zero_weights(fresh)
    fresh.load_weights(path + ".keras")
    err = max_error(predict(fresh, xs), ys)
    results.append(("keras: load_weights(.keras)", err < TOLERANCE, {"max_error": err}))
    if compiled:
        # a .keras archive stores optimizer variables by position only: Keras names them itself on loading
        ok, detail = compare_optimizer(model.optimizer, data, names_matter=False)
        results.append(("keras: optimizer state restored", ok, detail))
        results.append(resume(model, data, "keras: resume training"))
        model.save(path + ".keras_resaved.keras")
        np.savez(path + ".keras_resaved_archive.npz", x=xs[0], y=predict(model, xs)[0],
                 iterations=np.asarray(int(np.asarray(model.optimizer.iterations))))
    return results


def load_compiled_h5(path):
    """Keras 3's own h5 loading, with one Keras bug worked around.

    keras.src.legacy.saving.legacy_h5_format.load_model_from_hdf5 builds the optimizer with
    `model._trainable_variables` (only the model's own variables: none for Sequential/Functional), so
    it restores iteration and learning_rate but no slots, and the next fit() fails ("the optimizer
    was built with 0 variables"); Keras's own mlp_compiled.h5 does the same. So: load_model (whose
    optimizer iteration count we report), then repeat Keras's restore steps with
    `model.trainable_variables`: compile from the training_config, build, set_weights.
    """
    from keras.src.legacy.saving import legacy_h5_format

    own = keras.models.load_model(path, compile=True)
    model = compiled_from_h5(path)
    with h5py.File(path, "r") as f:
        model.optimizer.set_weights(legacy_h5_format.load_optimizer_weights_from_hdf5_group(f))
    return own, model


def compiled_from_h5(path):
    """load_model(compile=False), compiled from the file's training_config, optimizer built (fresh state)."""
    from keras.src.legacy.saving import saving_utils

    model = keras.models.load_model(path, compile=False)
    with h5py.File(path, "r") as f:
        training_config = json.loads(f.attrs["training_config"])
    model.compile(**saving_utils.compile_args_from_training_config(training_config))
    model.optimizer.build(model.trainable_variables)
    return model


def compare_optimizer(optimizer, data, names_matter=True):
    """(ok, detail): Keras's optimizer variables against symk's saved ones, by position, name and value."""
    saved_names = [str(n).split("/", 1)[-1] for n in data["opt_names"]]
    saved = [data[f"opt_{i}"] for i in range(len(saved_names))]
    names = [v.path.split("/", 1)[-1] for v in optimizer.variables]
    values = [np.asarray(v) for v in optimizer.variables]
    # Keras auto-names Nadam's u_product ('variable_3')
    same_names = names == saved_names or (names[:-1] == saved_names[:-1] and names[-1].startswith("variable"))
    value_err = (max(float(np.abs(np.asarray(a, np.float64) - b).max()) for a, b in zip(values, saved))
                 if len(values) == len(saved) else float("inf"))
    iterations = int(np.asarray(optimizer.iterations))
    ok = (same_names or not names_matter) and value_err == 0.0 and iterations == int(data["iterations"])
    return ok, {"iterations": iterations, "saved_iterations": int(data["iterations"]), "max_error": value_err,
                "names_match": bool(same_names), "keras_variables": names}


def check_optimizer_state(data, path):
    own, model = load_compiled_h5(path + ".h5")
    own_iterations = int(np.asarray(own.optimizer.iterations))
    results = [("h5: load_model restores iterations", own_iterations == int(data["iterations"]),
                {"iterations": own_iterations})]
    ok, detail = compare_optimizer(model.optimizer, data)
    results.append(("h5: optimizer slots (set_weights)", ok, detail))
    results.append(resume(model, data, "h5: resume training"))
    fresh = compiled_from_h5(path + ".h5")  # a compiled model's .weights.h5 carries the optimizer too
    fresh.load_weights(path + ".weights.h5")
    ok, detail = compare_optimizer(fresh.optimizer, data)
    results.append((".weights.h5: optimizer slots (load_weights)", ok, detail))
    results.append(resume(fresh, data, ".weights.h5: resume training"))
    # the other way back: Keras saves the resumed model, and symk's tests read what Keras wrote
    fresh.save(path + ".keras_resaved.h5")
    np.savez(path + ".keras_resaved.npz", x=npz_list(data, "x")[0], y=predict(fresh, npz_list(data, "x"))[0],
             iterations=np.asarray(int(np.asarray(fresh.optimizer.iterations))))
    return results


def resume(model, data, name):
    before = int(np.asarray(model.optimizer.iterations))
    history = model.fit(data["x_train"], data["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    after = int(np.asarray(model.optimizer.iterations))
    loss = float(history.history["loss"][-1])
    return name, after == before + 3 and np.isfinite(loss), {"iterations_after": after, "loss": loss}


# config keys tf_keras's constructors reject: Keras 3 serialization metadata and newer arguments
KERAS3_ONLY_KEYS = ("module", "registered_name", "seed", "rms_scaling")


def keras2_config(value):
    """A Keras 3 config made readable by tf_keras: batch_shape -> batch_input_shape, DTypePolicy -> name."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy":
            return value["config"]["name"]
        if value.get("class_name") == "__keras_tensor__":
            return value
        out = {k: keras2_config(v) for k, v in value.items() if k not in KERAS3_ONLY_KEYS}
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
        results.append(("load_model+predict", False, {"error": describe(ex)}))
    with h5py.File(path + ".h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
    if config["class_name"] != "Sequential":
        results.append(("load_weights(_weights.h5)", False,
                        {"error": "skipped: functional Keras 3 configs (keras tensors in inbound_nodes) have no "
                                  "tf_keras form"}))
        return results
    try:
        model = keras.Sequential.from_config(keras2_config(copy.deepcopy(config["config"])))
        model.load_weights(path + "_weights.h5")
        err = max_error(predict(model, xs), ys)
        results.append(("load_weights(_weights.h5)", err < TOLERANCE, {"max_error": err}))
    except Exception as ex:  # noqa: BLE001
        results.append(("load_weights(_weights.h5)", False, {"error": describe(ex)}))
    return results


def check_keras2_written(case, data, path):
    """Checks for one case symk wrote with keras_version=2, loaded by tf_keras."""
    xs, ys = npz_list(data, "x"), npz_list(data, "y")
    compiled = "iterations" in data.files
    model = keras.models.load_model(path + ".h5", compile=compiled)
    got = predict(model, xs)
    err = max_error(got, ys)
    results = [("load_model+predict", err < TOLERANCE, {"max_error": err, "keras_y": [g.tolist() for g in got]})]
    fresh = keras.models.load_model(path + ".h5", compile=False)
    zero_weights(fresh)
    fresh.load_weights(path + "_weights.h5")
    err = max_error(predict(fresh, xs), ys)
    results.append(("load_weights(_weights.h5)", err < TOLERANCE, {"max_error": err}))
    if compiled:
        optimizer = model.optimizer
        names = [v.name for v in optimizer.variables]
        values = [np.asarray(v) for v in optimizer.variables]
        # tf_keras saves '<optimizer name>/m/dense/kernel:0'; its variables' own names lack that scope
        scope = optimizer.name + "/"
        saved_names = [str(n)[len(scope):] if str(n).startswith(scope) else str(n) for n in data["opt_names"]]
        saved = [data[f"opt_{i}"] for i in range(len(saved_names))]
        value_err = (max(float(np.abs(np.asarray(a, np.float64) - b).max()) for a, b in zip(values, saved))
                     if len(values) == len(saved) else float("inf"))
        iterations = int(np.asarray(optimizer.iterations))
        ok = names == saved_names and value_err == 0.0 and iterations == int(data["iterations"])
        results.append(("h5: optimizer state (load_model)", ok,
                        {"iterations": iterations, "max_error": value_err, "names_match": names == saved_names,
                         "keras_variables": names}))
        results.append(resume(model, data, "h5: resume training"))
        model.save(path + ".tfkeras_resaved.h5")
        np.savez(path + ".tfkeras_resaved.npz", x=xs[0], y=predict(model, xs)[0],
                 iterations=np.asarray(int(np.asarray(optimizer.iterations))))
    return results


def export(catalog, report, dest, cases, archives=False):
    """Copy `cases` (files symk wrote, and what Keras resaved) to dest with a manifest of Keras's results.

    archives=True (--export-archives): only the .keras archives, their npz and the archives Keras resaved."""
    import shutil

    os.makedirs(dest, exist_ok=True)
    resaved = ".tfkeras_resaved" if WHICH == "keras2w" else ".keras_resaved"
    about = ("Files symk wrote (tools/symk_write_checkfiles.py) that real Keras loaded "
             "(tools/keras_refs/check_symk_files.py); keras_y is what Keras predicted on the npz x. ")
    about += ("<case>.keras_resaved.keras (+ .keras_resaved_archive.npz) were written back by Keras after resuming "
              "training from symk's archive." if archives else
              f"*{resaved}.* were written back by Keras after resuming training.")
    manifest = {"about": about, "keras": report["keras"], "cases": {}}
    entries = {e["case"]: e for e in catalog["cases"]}
    for case in cases:
        if archives:
            files = [f for f in (case + ".keras", case + ".npz", case + ".keras_resaved.keras",
                                 case + ".keras_resaved_archive.npz") if os.path.exists(os.path.join(DIR, f))]
        else:
            files = [f for f in entries[case]["files"] if not f.endswith(".keras")]
            files += [f for f in (case + resaved + ".h5", case + resaved + ".npz")
                      if os.path.exists(os.path.join(DIR, f))]
        for name in files:
            shutil.copyfile(os.path.join(DIR, name), os.path.join(dest, name))
        checks = [c for c in report["cases"][case] if c["check"].startswith("keras:") == archives]
        manifest["cases"][case] = {
            "description": entries[case]["description"], "files": files,
            "all_checks_ok": all(c["ok"] for c in checks),
            "checks": [{k: v for k, v in c.items() if k != "keras_y"} for c in checks],
            "keras_y": next(c["keras_y"] for c in checks if "keras_y" in c)}
    with open(os.path.join(dest, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"exported {len(cases)} case(s) to {dest}")


def main():
    with open(os.path.join(DIR, "catalog.json")) as f:
        catalog = json.load(f)
    report, failures = {"keras": f"{WHICH} {keras.__version__}", "cases": {}}, 0
    for entry in catalog["cases"]:
        case = entry["case"]
        path = os.path.join(DIR, case)
        data = np.load(path + ".npz")
        try:
            check = {"keras3": check_keras3, "keras2": check_keras2, "keras2w": check_keras2_written}[WHICH]
            results = check(case, data, path)
        except Exception as ex:  # noqa: BLE001
            results = [("load", False, {"error": describe(ex, 300)})]
        report["cases"][case] = [{"check": name, "ok": bool(ok), **detail} for name, ok, detail in results]
        for name, ok, detail in results:
            shown = {k: v for k, v in detail.items() if k not in ("keras_y", "keras_variables")}
            print(f"{WHICH:6s} {case:28s} {name:38s} {'OK' if ok else 'FAIL'} {shown}")
            failures += not ok
    report["failures"] = failures
    with open(os.path.join(DIR, f"REPORT_{WHICH}.json"), "w") as f:
        json.dump(report, f, indent=1)
    for flag in ("--export", "--export-archives"):
        if flag in sys.argv:
            at = sys.argv.index(flag)
            rest = sys.argv[at + 2:]
            cases = rest[:next((i for i, a in enumerate(rest) if a.startswith("--")), len(rest))]
            export(catalog, report, sys.argv[at + 1], cases, archives=flag == "--export-archives")
    print(f"{WHICH}: {failures} failed check(s)")
    sys.exit(1 if failures and WHICH in ("keras3", "keras2w") else 0)


if __name__ == "__main__":
    main()
