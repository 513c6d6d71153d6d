"""Write tests/references/keras3/layers_spectral/: real Keras 3 (JAX) numbers for SpectralNormalization.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_spectral.py

cases.json: {"cases": {id: {"inner" (the wrapped layer's class), "inner_kwargs", "power_iterations",
"config" (Keras's get_config()), "weight_paths" (layer.weights order)}}}.
cases.npz, per case: `<id>/x`, `<id>/w<i>` (the weights before any call, layer.weights order: kernel, vector_u,
then the wrapped layer's others), `<id>/train_y` (the output of one call with training=True),
`<id>/train_w<i>` (the weights after it: Keras assigns the new vector_u and the normalized kernel),
`<id>/infer_y` (a following call with training=False: the normalized kernel, u unchanged).
model.keras / model.weights.h5 / model.npz (`x`, `y`): a small model holding two wrappers.
fit.npz: {x, y, init_w<i>, w<i>, hist_loss}: one SGD epoch; under JAX's fit Keras keeps the vector_u update
but not the kernel assignment (a trainable variable's in-call assign is dropped by stateless_call).
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_spectral"
RNG = np.random.RandomState(20250602)

CASES = [
    ("dense_1", "Dense", dict(units=3), 1, (2, 4)),
    ("dense_3_iters", "Dense", dict(units=5, use_bias=False), 3, (3, 6)),
    ("dense_rank3", "Dense", dict(units=2, activation="tanh"), 2, (2, 3, 4)),
    ("conv2d", "Conv2D", dict(filters=3, kernel_size=2), 1, (2, 5, 5, 2)),
    ("conv1d", "Conv1D", dict(filters=4, kernel_size=3, padding="same"), 2, (2, 7, 3)),
    ("embedding", "Embedding", dict(input_dim=6, output_dim=4), 1, None),
]


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def case_input(shape):
    if shape is None:  # Embedding: token ids
        return RNG.randint(0, 6, size=(3, 5)).astype("int32")
    return RNG.normal(size=shape).astype("float32")


def layer_cases(arrays):
    cases = {}
    for cid, inner, inner_kwargs, iterations, shape in CASES:
        x = case_input(shape)
        layer = L.SpectralNormalization(getattr(L, inner)(**inner_kwargs), power_iterations=iterations)
        layer.build(x.shape)
        # non-default weights: a vector_u that is not tiny, so the power iteration visibly moves it
        weights = [(w + 0.3 * RNG.normal(size=w.shape)).astype("float32") for w in layer.get_weights()]
        layer.set_weights(weights)
        arrays[f"{cid}/x"] = x
        for i, w in enumerate(weights):
            arrays[f"{cid}/w{i}"] = w
        arrays[f"{cid}/train_y"] = np.asarray(layer(x, training=True))
        for i, w in enumerate(layer.get_weights()):
            arrays[f"{cid}/train_w{i}"] = w
        arrays[f"{cid}/infer_y"] = np.asarray(layer(x, training=False))
        cases[cid] = dict(inner=inner, inner_kwargs=inner_kwargs, power_iterations=iterations,
                          config=jsonable(layer.get_config()), weight_paths=[w.path for w in layer.weights])
    return cases


def small_model():
    x = keras.Input(shape=(6, 6, 2), name="image")
    h = L.SpectralNormalization(L.Conv2D(3, 3, activation="relu", name="conv"), name="sn_conv")(x)
    h = L.Flatten()(h)
    y = L.SpectralNormalization(L.Dense(2, name="head"), power_iterations=2, name="sn_head")(h)
    model = keras.Model(x, y)
    rng = np.random.RandomState(5)
    model.set_weights([(w + 0.2 * rng.normal(size=w.shape)).astype("float32") for w in model.get_weights()])
    return model


def fit_case(arrays):
    model = keras.Sequential([keras.Input((4,)), L.SpectralNormalization(L.Dense(3, activation="relu")),
                              L.Dense(1)])
    rng = np.random.RandomState(9)
    model.set_weights([(w + 0.3 * rng.normal(size=w.shape)).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    for i, w in enumerate(model.get_weights()):
        arrays[f"init_w{i}"] = w
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    arrays["x"], arrays["y"] = x, y
    arrays["hist_loss"] = np.asarray(history.history["loss"], "float32")
    for i, w in enumerate(model.get_weights()):
        arrays[f"w{i}"] = w


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays = {}
    cases = layer_cases(arrays)
    (OUT / "cases.json").write_text(json.dumps({"keras": keras.__version__, "cases": cases}, indent=1))
    np.savez(OUT / "cases.npz", **arrays)
    model = small_model()
    x = RNG.normal(size=(3, 6, 6, 2)).astype("float32")
    model.save(OUT / "model.keras")
    model.save_weights(OUT / "model.weights.h5")
    np.savez(OUT / "model.npz", x=x, y=np.asarray(model.predict(x, verbose=0)))
    fits = {}
    fit_case(fits)
    np.savez(OUT / "fit.npz", **fits)
    print(f"wrote {len(cases)} cases, the model and the fit case to {OUT}")


if __name__ == "__main__":
    main()
