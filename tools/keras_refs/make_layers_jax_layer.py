"""Write tests/references/keras3/layers_jax_layer/: real Keras 3 (JAX) numbers for JaxLayer, running the plain
JAX functions of tests/jax_layer_functions.py (the test runs the same ones on symk).

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_jax_layer.py

arrays.npz: `x`, `y` (data), `mlp/init_w<i>` (get_weights() of Input(3) -> JaxLayer(mlp_call) -> Dense(1)),
`mlp/predict`, `mlp/hist_loss` and `mlp/w<i>` (after fit: SGD(0.1), mse, 2 epochs, batch 4, no shuffle),
`mlp/trained_predict`; `center/...` alike for Input(3) -> JaxLayer(centering_call, params, state) (its
state 'mean' is updated in fit), `pair/x_a`, `pair/x_b`, `pair/w`, `pair/y0`, `pair/y1` (a dict input, a tuple
output). mlp.weights.h5: the trained mlp model's weights, as Keras writes them. facts.json: weight paths and
trainable flags, the layer configs.
"""
import json
import os
import pathlib
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import jax_layer_functions as F  # noqa: E402

OUT = ROOT / "tests" / "references" / "keras3" / "layers_jax_layer"


def jsonable(value):
    return json.loads(json.dumps(value, default=str))


def fit_case(name, layer, arrays, facts, x, y):
    model = keras.Sequential([keras.Input((3,)), layer, L.Dense(1, name="head")])
    rng = np.random.RandomState(3)
    model.set_weights([(w + 0.2 * rng.normal(size=w.shape)).astype(w.dtype) for w in model.get_weights()])
    for i, w in enumerate(model.get_weights()):
        arrays[f"{name}/init_w{i}"] = w
    arrays[f"{name}/predict"] = np.asarray(model.predict(x, verbose=0))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    arrays[f"{name}/hist_loss"] = np.asarray(history.history["loss"], "float32")
    for i, w in enumerate(model.get_weights()):
        arrays[f"{name}/w{i}"] = w
    arrays[f"{name}/trained_predict"] = np.asarray(model.predict(x, verbose=0))
    facts[name] = {"weights": [[w.path, w.trainable, list(w.shape)] for w in model.weights],
                   "config": jsonable(layer.get_config())}
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(20261204)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    arrays, facts = {"x": x, "y": y}, {"keras": keras.__version__}
    keras.utils.set_random_seed(1)
    # NOTE: params given, not init_fn: Keras's build-time init_fn path calls tf.inside_function(), which needs
    # TensorFlow installed even on JAX
    import jax

    params = jax.tree_util.tree_map(np.asarray, F.mlp_init(jax.random.PRNGKey(0), np.ones((1, 3), "float32")))
    mlp = fit_case("mlp", L.JaxLayer(F.mlp_call, init_fn=F.mlp_init, params=params, name="mlp"), arrays, facts,
                   x, y)
    mlp.save_weights(OUT / "mlp.weights.h5")
    center = L.JaxLayer(F.centering_call, params={"scale": np.full((3,), 1.5, "float32")},
                        state={"mean": np.zeros((3,), "float32")}, name="center")
    fit_case("center", center, arrays, facts, x + 2.0, y)
    pair = L.JaxLayer(F.pair_call, params={"w": rng.normal(size=(3, 2)).astype("float32")})
    x_a, x_b = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 2)).astype("float32")
    y0, y1 = pair({"a": x_a, "b": x_b})
    arrays.update({"pair/x_a": x_a, "pair/x_b": x_b, "pair/w": pair.get_weights()[0], "pair/y0": np.asarray(y0),
                   "pair/y1": np.asarray(y1)})
    (OUT / "facts.json").write_text(json.dumps(facts, indent=1, sort_keys=True))
    np.savez(OUT / "arrays.npz", **arrays)
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
