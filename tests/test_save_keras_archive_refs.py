"""`.keras` archives written by Keras 3.15 itself (tools/keras_refs/make_keras_archives.py) load in symk and predict
what Keras predicted; compiled ones resume training to the step Keras computed. An optional live check (when a
Python with keras is named by SYMK_KERAS_PYTHON, or keras is importable here) has Keras load archives symk
writes with the same registered custom objects."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import symk
from symk.models import load_model

L = symk.layers
HERE = os.path.dirname(os.path.abspath(__file__))
ARCHIVES = os.path.join(HERE, "references", "keras3", "archives")
with open(os.path.join(ARCHIVES, "cases.json")) as _f:
    CASES = {entry["case"]: entry for entry in json.load(_f)["cases"]}
SAFE_CASES = sorted(c for c in CASES if c != "lambda_bytecode")
COMPILED = sorted(c for c, entry in CASES.items() if entry["compiled"])


# -- the custom objects the Keras-written archives name (the same registered names as in the writer) --------
@symk.saving.register_keras_serializable(package="SymkRefs")
def scaled_tanh(x):
    return symk.ops.tanh(x) * 2.0


@symk.saving.register_keras_serializable(package="SymkRefs")
def half_mse(y_true, y_pred):
    return symk.ops.mean(symk.ops.square(y_true - y_pred), axis=-1) * 0.5


@symk.saving.register_keras_serializable(package="SymkRefs")
class ScaledDense(L.Layer):
    def __init__(self, units=2, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, x):
        return (symk.ops.matmul(x, self.w) + self.b) * self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


@symk.saving.register_keras_serializable(package="SymkRefs")
class TwoTower(symk.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.encoder = L.Dense(units, activation="relu")
        self.blocks = [L.Dense(units), L.Dense(units)]
        self.head = L.Dense(1)

    def call(self, x):
        h = self.encoder(x)
        for block in self.blocks:
            h = block(h) + h
        return self.head(h)

    def get_config(self):
        return {"units": self.units, "name": self.name}


def _npz_list(data, prefix):
    if prefix in data.files:
        return [data[prefix]]
    return [data[k] for k in sorted((k for k in data.files if k[:1] == prefix and k[1:].isdigit()),
                                    key=lambda k: int(k[1:]))]


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _close(got, want, tol=1e-5):
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", SAFE_CASES)
def test_keras_written_archive_predicts_what_keras_predicted(case):
    data = np.load(os.path.join(ARCHIVES, case + ".npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing in a Keras 3.15 archive is ignored or left uncompiled
        model = load_model(os.path.join(ARCHIVES, case + ".keras"))
    _close(_predict(model, _npz_list(data, "x")), _npz_list(data, "y"))
    assert getattr(model, "compiled", False) == CASES[case]["compiled"]


@pytest.mark.parametrize("case", COMPILED)
def test_keras_written_optimizer_state_resumes_to_kerass_next_step(case):
    data = np.load(os.path.join(ARCHIVES, case + ".npz"))
    model = load_model(os.path.join(ARCHIVES, case + ".keras"))
    assert int(model.optimizer.iterations.numpy()) == int(data["iterations"]) == 3
    model.fit(data["x_train"], data["y_train"], batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == int(data["iterations_after"])
    _close(_predict(model, [data["x"]]), [data["y_after"]], tol=2e-5)


def test_compile_objects_resolve_from_archive_and_h5():
    """Serialized losses/metrics ({'class_name', 'config'}) and registered functions compile the loaded model."""
    for suffix in (".keras", ".h5"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # not "loaded, but not compiled"
            model = load_model(os.path.join(ARCHIVES, "compiled_objects" + suffix))
        assert isinstance(model.loss, symk.losses.MeanSquaredError)
        assert isinstance(model.optimizer, symk.optimizers.SGD) and model.optimizer.get_config()["momentum"] == 0.9
    custom = load_model(os.path.join(ARCHIVES, "compiled_custom_loss.keras"))
    assert custom.loss is half_mse and half_mse in custom.compiled_metrics


def test_registered_objects_resolve_in_layer_configs():
    model = load_model(os.path.join(ARCHIVES, "custom_registered.keras"))
    assert model.get_layer("dense_custom_act").activation is scaled_tanh
    assert type(model.get_layer("scaled")) is ScaledDense and model.get_layer("scaled").scale == 0.5


def test_subclassed_model_weights_follow_attributes():
    model = load_model(os.path.join(ARCHIVES, "subclassed_model.keras"))
    assert type(model) is TwoTower and len(model.blocks) == 2 and model.built


def test_newer_arguments_nested_in_wrappers_are_dropped_with_a_warning(tmp_path):
    """An argument symk's Dense does not know, inside TimeDistributed inside a Sequential inside a functional model."""
    import zipfile

    with zipfile.ZipFile(os.path.join(ARCHIVES, "rnn_stack.keras")) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(members["config.json"])
    wrapped = next(e for e in config["config"]["layers"] if e["class_name"] == "TimeDistributed")
    wrapped["config"]["layer"]["config"].update(quantization_config=None, future_option=3)
    members["config.json"] = json.dumps(config).encode()
    path = tmp_path / "newer.keras"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.warns(UserWarning, match=r"ignoring argument\(s\) \['future_option'\]"):
        model = load_model(path)
    data = np.load(os.path.join(ARCHIVES, "rnn_stack.npz"))
    _close(_predict(model, [data["x"]]), [data["y"]])


# -- the live check: Keras loads what symk writes (skipped without a Keras installation) -------------------
def _keras_python():
    named = os.environ.get("SYMK_KERAS_PYTHON")
    if named:
        return named
    import importlib.util

    return sys.executable if importlib.util.find_spec("keras") is not None else None


LIVE_SCRIPT = """
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
sys.path.insert(0, sys.argv[1])
import make_keras_archives  # registers the same custom objects with Keras
import keras, numpy as np
out = {}
for path in sys.argv[2:]:
    data = np.load(path[:-len(".keras")] + ".npz")
    model = keras.models.load_model(path, safe_mode=True)
    y = model.predict(data["x"], verbose=0)
    out[os.path.basename(path)] = {"max_error": float(np.abs(y - data["y"]).max()),
                                   "compiled": bool(getattr(model, "compiled", False))}
print(json.dumps(out))
"""


def test_live_keras_loads_symk_archives_with_custom_objects(tmp_path):
    python = _keras_python()
    if python is None:
        pytest.skip("no Keras installation (set SYMK_KERAS_PYTHON to a Python that has keras 3)")
    data = np.load(os.path.join(ARCHIVES, "custom_registered.npz"))
    written = []
    for case in ("custom_registered", "subclassed_model", "compiled_custom_loss"):
        model = load_model(os.path.join(ARCHIVES, case + ".keras"))
        data = np.load(os.path.join(ARCHIVES, case + ".npz"))
        path = tmp_path / (case + ".keras")
        model.save(path)
        np.savez(tmp_path / (case + ".npz"), x=data["x"], y=_predict(model, [data["x"]])[0])
        written.append(str(path))
    tools = os.path.join(HERE, "..", "tools", "keras_refs")
    run = subprocess.run([python, "-c", LIVE_SCRIPT, tools, *written], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    for name, result in report.items():
        assert result["max_error"] < 1e-5, (name, result)
    assert report["compiled_custom_loss.keras"]["compiled"]
