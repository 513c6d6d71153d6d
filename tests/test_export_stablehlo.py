"""StableHLO export: model.export(format="stablehlo") artifacts reload in a fresh process that imports only
symk/export/load.py (jax and numpy, none of symk's graph code) and predict as symk does at any batch size;
format="jax" gives a pure (fn, params) pair."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import symk
from symk import layers as L

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("symk_checkfiles", os.path.join(ROOT, "tools", "symk_write_checkfiles.py"))
CATALOG = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CATALOG)
CASES = ["dense_dropout", "conv2d", "conv_special", "reshaping", "normalization", "merge_layers", "multi_io_shared",
         "embedding_lstm_gru", "gru_variants"]

FRESH_PROCESS = r"""
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("artifact_load", sys.argv[1])
load = importlib.util.module_from_spec(spec); spec.loader.exec_module(load)
fn = load.load(sys.argv[2])
data = np.load(sys.argv[3])
xs = [data[f"x{i}"] for i in range(len(fn.input_names))]
out = fn(*xs)
out = out if isinstance(out, list) else [out]
np.savez(sys.argv[4], **{f"y{i}": np.asarray(y) for i, y in enumerate(out)})
print("symk graph modules loaded:", sorted(m for m in sys.modules if m.startswith("symk")))
"""


def _case(name):
    model, specs = CATALOG.PREDICTION_CASES[name]()
    rng = CATALOG._rng(name)
    CATALOG._randomize(model, rng)
    return model, CATALOG._inputs(specs, rng, n=5)


def _predict(model, xs) -> list:
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("name", CASES)
def test_artifact_runs_in_fresh_process(name, tmp_path):
    model, xs = _case(name)
    artifact = str(tmp_path / "artifact")
    model.export(artifact, format="stablehlo")
    # a batch size other than the one symk ran: the batch axis is symbolic
    xs = [np.concatenate([x, x[:2]]) for x in xs]
    np.savez(tmp_path / "inputs.npz", **{f"x{i}": x for i, x in enumerate(xs)})
    script = tmp_path / "run.py"
    script.write_text(FRESH_PROCESS)
    result = subprocess.run([sys.executable, str(script), os.path.join(ROOT, "symk", "export", "load.py"), artifact,
                             str(tmp_path / "inputs.npz"), str(tmp_path / "out.npz")],
                            capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "symk graph modules loaded: []" in result.stdout
    got = np.load(tmp_path / "out.npz")
    want = _predict(model, xs)
    assert len(got.files) == len(want)
    for i, w in enumerate(want):
        np.testing.assert_allclose(got[f"y{i}"], w, rtol=1e-5, atol=1e-6)


def test_symk_export_load_and_dict_inputs(tmp_path):
    model, xs = _case("merge_layers")
    model.export(str(tmp_path / "a"), format="stablehlo")
    fn = symk.export.load(str(tmp_path / "a"))
    assert fn.input_names == model.input_names
    want = _predict(model, xs)[0]
    np.testing.assert_allclose(fn(*xs), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fn(dict(zip(fn.input_names, xs))), want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="takes 2 input"):
        fn(xs[0])


def test_jax_format_is_pure_function():
    import jax

    model, xs = _case("conv2d")
    fn, params = model.export(None, format="jax")
    out = jax.jit(fn)(params, xs[0])
    np.testing.assert_allclose(out[0], _predict(model, xs)[0], rtol=1e-5, atol=1e-6)
    # params are a pytree users can transform (here: gradients with respect to every weight)
    grads = jax.grad(lambda p: fn(p, xs[0])[0].sum())(params)
    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(params)


def test_unknown_format_is_a_clear_error():
    model = symk.Sequential([L.Input(shape=(3,)), L.Dense(2)])
    with pytest.raises(ValueError, match="export format 'tf_saved_model' is not available"):
        model.export("somewhere")
