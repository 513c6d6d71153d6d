"""Write tests/references/keras3/layers_core_new/: real Keras 3 (JAX) numbers for RMSNormalization,
Normalization (adapt on arrays and on batches, invert, given statistics), ReversibleEmbedding, Identity,
ConvLSTM1D/2D/3D and AdaptiveAverage/MaxPooling1D/2D/3D, a Keras-written model with Normalization and
ConvLSTM2D (.h5 and .weights.h5), and one SGD epoch of a ConvLSTM2D model.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_layers_core_new.py

cases.json, one entry per case: the class, its constructor kwargs, the calls (tensors named by npz key),
whether the layer is adapted (and on what), Keras's get_config() and weight paths. cases.npz:
`<case>/<input>`, `<case>/w<i>` (layer.get_weights() order, after adapt for adapted layers) and
`<case>/c<call>_y<i>` (each call's outputs, flattened). tests/test_layers_new_core.py and
tests/test_layers_conv_lstm.py rebuild each layer in symk, set (or adapt to) the same weights and compare.
"""
import json
import os
import pathlib

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

# NOTE: a workaround: Normalization.adapt asks `isinstance(data, tf.data.Dataset)` before it takes an iterable
# of batches, which imports TensorFlow; this venv has none, so that check sees a class nothing is an instance of.
import types  # noqa: E402
from keras.src.layers.preprocessing import normalization as _keras_normalization  # noqa: E402

_keras_normalization.tf = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("NoDataset", (), {})))

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "references" / "keras3" / "layers_core_new"
RNG = np.random.RandomState(20250412)


def normal(*shape):
    return RNG.normal(size=shape).astype("float32")


def tensor(name):
    return {"tensor": name}


def resolve(spec, arrays):
    """Call arguments: {"tensor": key} -> the array; lists and dicts recurse; the rest as is."""
    if isinstance(spec, dict) and "tensor" in spec:
        return arrays[spec["tensor"]]
    if isinstance(spec, list):
        return [resolve(s, arrays) for s in spec]
    if isinstance(spec, dict):
        return {k: resolve(v, arrays) for k, v in spec.items()}
    return spec


def call(args, kwargs=None):
    return {"args": args, "kwargs": kwargs or {}}


def case(cid, cls, kwargs, inputs, calls, adapt=None):
    """`calls` run in order on one layer (a stateful layer carries its states from one to the next);
    `adapt` names the input (or list of inputs, as batches) that Normalization.adapt() receives."""
    return dict(id=cid, cls=cls, kwargs=kwargs, inputs=inputs, calls=calls, adapt=adapt)


def single(cid, cls, kwargs, x, call_kwargs=None):
    return case(cid, cls, kwargs, {"x": x}, [call([tensor("x")], call_kwargs)])


def core_cases():
    add = []
    x3 = normal(2, 5, 6)
    # -- RMSNormalization ---------------------------------------------------------------
    add.append(single("rms_default", "RMSNormalization", {}, x3))
    add.append(single("rms_two_axes", "RMSNormalization", dict(axis=[1, 2], epsilon=1e-3), normal(2, 3, 4)))
    add.append(single("rms_rank2", "RMSNormalization", dict(epsilon=0.5), normal(3, 4) * 0.1))
    # -- Normalization ------------------------------------------------------------------
    data = (normal(40, 4) * np.array([1.0, 2.0, 0.5, 3.0], "float32") + np.array([1, -2, 0, 5], "float32"))
    grid = normal(12, 3, 4) * 2.0 + 1.0
    batches = [data[:16], data[16:30], data[30:]]
    add.append(case("norm_adapt_array", "Normalization", {}, {"x": data[:5], "data": data},
                    [call([tensor("x")])], adapt="data"))
    add.append(case("norm_adapt_axis_none", "Normalization", dict(axis=None), {"x": grid[:3], "data": grid},
                    [call([tensor("x")])], adapt="data"))
    add.append(case("norm_adapt_two_axes", "Normalization", dict(axis=(1, 2)), {"x": grid[:3], "data": grid},
                    [call([tensor("x")])], adapt="data"))
    add.append(case("norm_adapt_axis1", "Normalization", dict(axis=1), {"x": grid[:3], "data": grid},
                    [call([tensor("x")])], adapt="data"))
    add.append(case("norm_adapt_batches", "Normalization", {},
                    {"x": data[:5], "b0": batches[0], "b1": batches[1], "b2": batches[2]},
                    [call([tensor("x")])], adapt=["b0", "b1", "b2"]))
    add.append(case("norm_adapt_batches_axis_none", "Normalization", dict(axis=None),
                    {"x": grid[:3], "b0": grid[:5], "b1": grid[5:]}, [call([tensor("x")])], adapt=["b0", "b1"]))
    add.append(case("norm_invert_adapted", "Normalization", dict(invert=True), {"x": normal(5, 4), "data": data},
                    [call([tensor("x")])], adapt="data"))
    add.append(single("norm_given_scalar", "Normalization", dict(mean=3.0, variance=2.0), normal(4, 3)))
    add.append(single("norm_given_vector", "Normalization", dict(mean=[1.0, -1.0, 0.5], variance=[4.0, 0.25, 1.0]),
                      normal(4, 3)))
    add.append(single("norm_given_right_aligned", "Normalization",
                      dict(axis=(1, 2), mean=[0.0, 1.0, 2.0, 3.0], variance=[1.0, 2.0, 3.0, 4.0]), normal(2, 3, 4)))
    add.append(single("norm_given_invert", "Normalization", dict(mean=[1.0, 2.0], variance=[0.0, 9.0], invert=True),
                      normal(3, 2)))
    # -- ReversibleEmbedding -----------------------------------------------------------
    ids = RNG.randint(0, 9, (2, 5)).astype("int32")
    ids[0, 3:] = 0
    hidden = normal(2, 5, 4)
    add.append(case("rev_tied", "ReversibleEmbedding", dict(input_dim=9, output_dim=4), {"ids": ids, "h": hidden},
                    [call([tensor("ids")]), call([tensor("h")], {"reverse": True})]))
    add.append(case("rev_untied_cap", "ReversibleEmbedding",
                    dict(input_dim=9, output_dim=4, tie_weights=False, logit_soft_cap=1.5),
                    {"ids": ids, "h": hidden}, [call([tensor("ids")]), call([tensor("h")], {"reverse": True})]))
    add.append(case("rev_mask_dtype", "ReversibleEmbedding",
                    dict(input_dim=9, output_dim=4, mask_zero=True, reverse_dtype="float32"),
                    {"ids": ids, "h": hidden}, [call([tensor("ids")]), call([tensor("h")], {"reverse": True})]))
    # -- Identity -------------------------------------------------------------------------
    add.append(single("identity", "Identity", {}, x3))
    # -- adaptive pooling -----------------------------------------------------------------
    add.append(single("aap1d", "AdaptiveAveragePooling1D", dict(output_size=3), normal(2, 7, 3)))
    add.append(single("amp1d", "AdaptiveMaxPooling1D", dict(output_size=4), normal(2, 7, 3)))
    add.append(single("aap2d", "AdaptiveAveragePooling2D", dict(output_size=(2, 3)), normal(2, 5, 7, 2)))
    add.append(single("amp2d_first", "AdaptiveMaxPooling2D", dict(output_size=3, data_format="channels_first"),
                      normal(2, 2, 7, 5)))
    add.append(single("aap3d_first", "AdaptiveAveragePooling3D",
                      dict(output_size=(2, 3, 2), data_format="channels_first"), normal(1, 2, 5, 4, 3)))
    add.append(single("amp3d", "AdaptiveMaxPooling3D", dict(output_size=2), normal(1, 5, 4, 3, 2)))
    return add


def conv_lstm_cases():
    add = []
    seq2 = normal(2, 4, 5, 5, 2)
    add.append(single("cl2d_default", "ConvLSTM2D", dict(filters=3, kernel_size=3), seq2))
    add.append(single("cl2d_same_sequences", "ConvLSTM2D",
                      dict(filters=3, kernel_size=(3, 2), padding="same", return_sequences=True), seq2))
    add.append(single("cl2d_strides_state", "ConvLSTM2D",
                      dict(filters=2, kernel_size=2, strides=2, return_state=True), seq2))
    add.append(single("cl2d_dilation_backwards", "ConvLSTM2D",
                      dict(filters=2, kernel_size=2, dilation_rate=2, go_backwards=True, return_sequences=True),
                      seq2))
    add.append(single("cl2d_first_activations", "ConvLSTM2D",
                      dict(filters=2, kernel_size=3, padding="same", data_format="channels_first",
                           activation="relu", recurrent_activation="hard_sigmoid", use_bias=False,
                           return_sequences=True), normal(2, 3, 2, 4, 5)))
    add.append(single("cl2d_dropout_inference", "ConvLSTM2D",
                      dict(filters=2, kernel_size=3, padding="same", dropout=0.4, recurrent_dropout=0.3, seed=3),
                      seq2))
    state_shape = (2, 5, 5, 3)
    add.append(case("cl2d_initial_state", "ConvLSTM2D", dict(filters=3, kernel_size=3, padding="same"),
                    {"x": seq2, "h": normal(*state_shape), "c": normal(*state_shape)},
                    [call([tensor("x")], {"initial_state": [tensor("h"), tensor("c")]})]))
    # NOTE: batch 1 in the masked cases: Keras's JAX rnn broadcasts a (batch, 1) step mask against the
    # trailing axes of a (batch, rows, cols, filters) state, which is per-sample only for one sample
    one = normal(1, 5, 4, 4, 2)
    mask = np.array([[True, False, True, True, False]])
    add.append(case("cl2d_mask", "ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same", return_sequences=True),
                    {"x": one, "m": mask}, [call([tensor("x")], {"mask": tensor("m")})]))
    add.append(case("cl2d_mask_zero_output", "ConvLSTM2D",
                    dict(filters=2, kernel_size=3, padding="same", return_sequences=True, zero_output_for_mask=True),
                    {"x": one, "m": mask}, [call([tensor("x")], {"mask": tensor("m")})]))
    add.append(case("cl2d_mask_last_masked", "ConvLSTM2D",
                    dict(filters=2, kernel_size=3, zero_output_for_mask=True, go_backwards=True),
                    {"x": one, "m": mask}, [call([tensor("x")], {"mask": tensor("m")})]))
    add.append(case("cl2d_stateful", "ConvLSTM2D", dict(filters=2, kernel_size=3, padding="same", stateful=True),
                    {"x": seq2, "x2": normal(2, 4, 5, 5, 2)}, [call([tensor("x")]), call([tensor("x2")])]))
    add.append(single("cl1d", "ConvLSTM1D", dict(filters=3, kernel_size=2, return_sequences=True), normal(2, 3, 6, 2)))
    add.append(single("cl1d_first_state", "ConvLSTM1D",
                      dict(filters=2, kernel_size=3, padding="same", data_format="channels_first", return_state=True),
                      normal(2, 3, 2, 6)))
    add.append(single("cl3d", "ConvLSTM3D", dict(filters=2, kernel_size=2, padding="same", return_sequences=True),
                      normal(1, 3, 3, 4, 3, 2)))
    return add


def run_case(c, arrays):
    layer = getattr(L, c["cls"])(**c["kwargs"])
    for key, value in c["inputs"].items():
        arrays[f"{c['id']}/{key}"] = value
    local = dict(c["inputs"])
    if c["adapt"] is not None:
        adapt_data = local[c["adapt"]] if isinstance(c["adapt"], str) else iter([local[k] for k in c["adapt"]])
        layer.adapt(adapt_data)
        weights = layer.get_weights()
    else:
        first = c["calls"][0]
        layer(*resolve(first["args"], local), **resolve(first["kwargs"], local))   # builds
        weights = [normal(*w.shape) * 0.5 for w in layer.get_weights()]
        layer.set_weights(weights)
        if c["kwargs"].get("stateful"):
            layer.reset_states()
    for i, w in enumerate(weights):
        arrays[f"{c['id']}/w{i}"] = np.asarray(w)
    counts = []
    for n, spec in enumerate(c["calls"]):
        outputs = layer(*resolve(spec["args"], local), **resolve(spec["kwargs"], local))
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        for i, y in enumerate(outputs):
            arrays[f"{c['id']}/c{n}_y{i}"] = np.asarray(y)
        counts.append(len(outputs))
    return dict(cls=c["cls"], kwargs=c["kwargs"], inputs=sorted(c["inputs"]), calls=c["calls"], adapt=c["adapt"],
                config=layer.get_config(), weight_paths=[w.path for w in layer.weights], outputs=counts)


# -- a Keras-written model: Normalization (adapted) + two ConvLSTM2D -------------------------------
def write_model():
    x = normal(6, 3, 5, 5, 2) * 2.0 + 1.0
    inputs = keras.Input((3, 5, 5, 2), name="frames")
    norm = L.Normalization(name="norm")
    norm.adapt(x)
    h = norm(inputs)
    h = L.ConvLSTM2D(3, 3, padding="same", return_sequences=True, name="clstm1")(h)
    h = L.ConvLSTM2D(2, 2, name="clstm2")(h)
    outputs = L.Dense(2, name="head")(L.Flatten(name="flat")(h))
    model = keras.Model(inputs, outputs, name="clstm_model")
    weights = model.get_weights()
    model.set_weights(weights[:3] + [normal(*w.shape) * 0.4 for w in weights[3:]])
    model.save(OUT / "model.h5")
    model.save_weights(OUT / "model.weights.h5")
    np.savez(OUT / "model.npz", x=x, y=model.predict(x, verbose=0))


# -- one SGD epoch of a ConvLSTM2D model --------------------------------------------------------------
def write_fit():
    x = normal(8, 3, 4, 4, 1)
    y = normal(8, 2) * 0.5
    model = keras.Sequential([keras.Input((3, 4, 4, 1)), L.ConvLSTM2D(2, 3, padding="same", name="clstm"),
                              L.Flatten(name="flat"), L.Dense(2, name="head")], name="clstm_fit")
    init = [normal(*w.shape) * 0.3 for w in model.get_weights()]
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    arrays = {"x": x, "y": y, "hist_loss": np.asarray(history.history["loss"], "float32")}
    arrays.update({f"init_w{i}": w for i, w in enumerate(init)})
    arrays.update({f"w{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(OUT / "fit.npz", **arrays)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    arrays, entries = {}, {}
    for c in core_cases() + conv_lstm_cases():
        entries[c["id"]] = run_case(c, arrays)
    np.savez(OUT / "cases.npz", **arrays)
    (OUT / "cases.json").write_text(json.dumps({"keras_version": keras.__version__, "cases": entries},
                                               indent=1, default=str) + "\n")
    write_model()
    write_fit()
    print(f"wrote {len(entries)} cases, the model and the fit case to {OUT}")


if __name__ == "__main__":
    main()
