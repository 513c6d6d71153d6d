"""Write a catalog of symk models as Keras files, for real Keras to load (tools/keras_refs/check_symk_files.py).

    /tmp/symkvenv/bin/python tools/symk_write_checkfiles.py OUT_DIR [--keras-version 2] [case ...]

For every case it writes, into OUT_DIR:
  <case>.h5               model.save (architecture, weights, training config, optimizer state)
  <case>.keras            model.save as Keras 3's '.keras' archive (the same contents)
  <case>.weights.h5       model.save_weights in the Keras 3 layout
  <case>_weights.h5       model.save_weights in the legacy layout
  <case>.npz              inputs x / x0.. and symk's predictions y / y0.. (Keras's npz key conventions);
                          compiled cases add x_train/y_train, `iterations`, `opt_names` and `opt_<i>`
                          (the optimizer's variables, in file order)
and a catalog.json describing the cases. It never imports keras.
With --keras-version 2 it writes the files for Keras 2 (tf_keras) instead: <case>.h5 and <case>_weights.h5
via keras_version=2 (no .weights.h5 or .keras: Keras 2 has neither), opt_names/opt_<i> in tf_keras's order.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np

import symk
from symk import layers as L
from symk.saving.keras2_weights import keras2_optimizer_weights
from symk.saving.training_state import optimizer_variables, optimizer_weight_names

F32 = np.float32


def _rng(case: str) -> np.random.RandomState:
    return np.random.RandomState(1000 + sum(map(ord, case)))


def _seq(name, shape, *stack, dtype="float32"):
    return symk.Sequential([L.Input(shape=shape, dtype=dtype)] + list(stack), name=name)


def _randomize(model, rng) -> None:
    """Non-trivial values for every weight (batch-norm variances stay positive), so a mix-up shows in predictions."""
    for var in model.weights:
        value = rng.uniform(-0.6, 0.6, tuple(var.shape)).astype(var.dtype)
        if "variance" in var.path:
            value = np.abs(value) + 0.5
        var.set_value(value)


# -- the catalog: name -> () -> (model, [input arrays]) --------------------------------
def dense_dropout():
    return _seq("dense_dropout", (8,), L.Dense(16, activation="relu"), L.Dropout(0.5),
                L.Dense(4, activation="softmax")), [(8,)]


def batchnorm():
    return _seq("batchnorm", (6,), L.Dense(5), L.BatchNormalization(momentum=0.9, epsilon=1e-3),
                L.Activation("tanh"), L.Dense(2)), [(6,)]


def conv1d():
    return _seq("conv1d", (9, 3), L.Conv1D(4, 3, padding="causal", activation="relu"),
                L.MaxPooling1D(2), L.Conv1D(3, 2, strides=1, padding="valid", dilation_rate=1),
                L.AveragePooling1D(2, padding="same"), L.GlobalMaxPooling1D(), L.Dense(2)), [(9, 3)]


def conv2d():
    return _seq("conv2d", (8, 8, 3), L.Conv2D(4, (3, 3), activation="relu"), L.BatchNormalization(),
                L.MaxPooling2D((2, 2)), L.Conv2D(5, (2, 2), padding="same", use_bias=False),
                L.AveragePooling2D((2, 2)), L.Flatten(), L.Dense(3, activation="softmax")), [(8, 8, 3)]


def conv_special():
    return _seq("conv_special", (6, 6, 2), L.SeparableConv2D(4, (3, 3), padding="same", depth_multiplier=1),
                L.DepthwiseConv2D((3, 3), depth_multiplier=2), L.Conv2DTranspose(3, (3, 3), strides=(2, 2)),
                L.GlobalAveragePooling2D(), L.Dense(2)), [(6, 6, 2)]


def conv1d_special():
    return _seq("conv1d_special", (7, 4), L.SeparableConv1D(3, 3, padding="same"),
                L.Conv1DTranspose(2, 3, strides=2), L.GlobalAveragePooling1D()), [(7, 4)]


def reshaping():
    return _seq("reshaping", (4, 4, 2), L.ZeroPadding2D(1), L.Cropping2D(((1, 0), (0, 1))),
                L.UpSampling2D(2), L.GlobalMaxPooling2D(), L.RepeatVector(3), L.Permute((2, 1)),
                L.Reshape((6,)), L.Dense(2)), [(4, 4, 2)]


def normalization():
    return _seq("normalization", (5, 4), L.LayerNormalization(axis=-1), L.Conv1D(3, 2),
                L.ZeroPadding1D(1), L.Cropping1D((1, 0)), L.UpSampling1D(2), L.Flatten(),
                L.Dense(2, activation="sigmoid")), [(5, 4)]


def embedding_lstm_gru():
    return _seq("embedding_lstm_gru", (6,), L.Embedding(20, 5), L.LSTM(7, return_sequences=True),
                L.GRU(4), L.Dense(2), dtype="int32"), [("int", 20, (6,))]


def simple_rnn_bidirectional():
    return _seq("simple_rnn_bidirectional", (5, 4), L.SimpleRNN(3, return_sequences=True),
                L.Bidirectional(L.LSTM(3)), L.Dense(2)), [(5, 4)]


def gru_variants():
    return _seq("gru_variants", (5, 4), L.GRU(3, reset_after=False, return_sequences=True),
                L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="sum"),
                L.TimeDistributed(L.Dense(3)), L.SimpleRNN(2, go_backwards=True)), [(5, 4)]


def merge_layers():
    a, b = L.Input(shape=(4,), name="in_a"), L.Input(shape=(4,), name="in_b")
    merged = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b]), L.Dot(axes=1)([a, b])]
    out = L.Dense(3, name="head")(L.Concatenate(name="concat")(merged))
    return symk.Model([a, b], out, name="merge_layers"), [(4,), (4,)]


def nested_sequential():
    inner = symk.Sequential([L.Input(shape=(5,)), L.Dense(4, activation="relu", name="inner_dense_1"),
                             L.Dense(3, name="inner_dense_2")], name="inner")
    x = L.Input(shape=(5,), name="outer_input")
    out = L.Dense(2, name="outer_dense")(inner(x))
    return symk.Model(x, out, name="nested_sequential"), [(5,)]


def multi_io_shared():
    main, aux = L.Input(shape=(6,), name="main_input"), L.Input(shape=(6,), name="aux_input")
    shared = L.Dense(5, activation="relu", name="shared_dense")
    h_main, h_aux = shared(main), shared(aux)
    aux_out = L.Dense(2, activation="softmax", name="aux_output")(h_aux)
    c = L.Concatenate(name="concat")([h_main, h_aux])
    main_out = L.Dense(1, activation="sigmoid", name="main_output")(L.Dense(4, name="hidden")(c))
    return symk.Model([main, aux], [main_out, aux_out], name="multi_io_shared"), [(6,), (6,)]


# -- the layers [layers] added: attention, einsum, new normalizations, preprocessing, ConvLSTM -----------
def attention_block():
    q, v = L.Input(shape=(5, 8), name="query"), L.Input(shape=(6, 8), name="value")
    h = L.MultiHeadAttention(2, 4, name="mha")(q, v)
    # NOTE: no dot-product Attention layer here: Keras 3.15 cannot load its own Attention from an .h5 file
    # (its legacy loader turns score_mode 'dot' into keras.ops.dot); the .keras archive would be fine
    additive = L.AdditiveAttention(name="additive_attention")([q, v])
    h = L.RMSNormalization(name="rms")(L.Concatenate(name="concat")([h, additive]))
    h = L.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d", name="einsum")(h)
    h = L.GroupQueryAttention(4, 2, 1, name="gqa")(h, h)
    out = L.Dense(2, name="head")(L.GlobalAveragePooling1D(name="pool")(L.Identity(name="identity")(h)))
    return symk.Model([q, v], out, name="attention_block"), [(5, 8), (6, 8)]


def image_preprocessing():
    return _seq("image_preprocessing", (12, 12, 3), L.Rescaling(1 / 2.0, offset=-0.5), L.Resizing(10, 10),
                L.CenterCrop(8, 8), L.RandomFlip(), L.RandomRotation(0.1), L.Normalization(mean=0.1, variance=2.0),
                L.Conv2D(3, 3), L.AdaptiveAveragePooling2D((2, 2)), L.Flatten(), L.Dense(2)), [(12, 12, 3)]


def conv_lstm():
    return _seq("conv_lstm", (4, 6, 2), L.ConvLSTM1D(3, 2, return_sequences=True), L.ConvLSTM1D(2, 2),
                L.Flatten(), L.Dense(2)), [(4, 6, 2)]


def reversible_embedding():
    return _seq("reversible_embedding", (5,), L.ReversibleEmbedding(12, 4), L.LayerNormalization(), L.Flatten(),
                L.Dense(3), dtype="int32"), [("int", 12, (5,))]


PREDICTION_CASES = {f.__name__: f for f in (
    dense_dropout, batchnorm, conv1d, conv2d, conv_special, conv1d_special, reshaping, normalization,
    embedding_lstm_gru, simple_rnn_bidirectional, gru_variants, merge_layers, nested_sequential, multi_io_shared,
    attention_block, image_preprocessing, conv_lstm, reversible_embedding)}

# compiled cases: optimizer name -> kwargs; each trains a small MLP for a few steps so its slots exist
OPTIMIZER_CASES = {
    "sgd": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
    "rmsprop": {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
    "adam": {"learning_rate": 0.01, "amsgrad": True},
    "adamw": {"learning_rate": 0.01, "weight_decay": 0.05},
    "adagrad": {"learning_rate": 0.1},
    "adadelta": {"learning_rate": 1.0},
    "adamax": {"learning_rate": 0.01},
    "nadam": {"learning_rate": 0.01},
}
OPTIMIZER_CLASSES = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad",
                     "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "Nadam"}


def _inputs(specs, rng, n=4) -> list:
    arrays = []
    for spec in specs:
        if spec and spec[0] == "int":
            arrays.append(rng.randint(0, spec[1], (n,) + spec[2]).astype(np.int32))
        else:
            arrays.append(rng.uniform(-1, 1, (n,) + tuple(spec)).astype(F32))
    return arrays


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _npz_arrays(xs, ys) -> dict:
    arrays = {"x": xs[0]} if len(xs) == 1 else {f"x{i}": x for i, x in enumerate(xs)}
    arrays.update({"y": ys[0]} if len(ys) == 1 else {f"y{i}": y for i, y in enumerate(ys)})
    return arrays


def write_case(out_dir: str, name: str, model, xs, extra: dict | None = None, description: str = "",
               keras_version: int = 3) -> dict:
    ys = [np.asarray(y) for y in _as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))]
    base = os.path.join(out_dir, name)
    model.save(base + ".h5", keras_version=keras_version)
    files = [name + ".h5", name + "_weights.h5", name + ".npz"]
    if keras_version == 3:
        model.save_weights(base + ".weights.h5")
        model.save(base + ".keras")  # Keras 3's own archive
        files[1:1] = [name + ".weights.h5", name + ".keras"]
    model.save_weights(base + "_weights.h5", keras_version=keras_version)
    arrays = _npz_arrays(xs, ys)
    arrays.update(extra or {})
    if extra and keras_version == 2:  # the optimizer state as tf_keras orders and names it
        for key in [k for k in arrays if k.startswith("opt_")]:
            del arrays[key]
        names, values = keras2_optimizer_weights(model)
        arrays["opt_names"] = np.asarray(names)
        arrays.update({f"opt_{i}": v for i, v in enumerate(values)})
    np.savez(base + ".npz", **arrays)
    return {"case": name, "description": description, "files": files, "compiled": bool(extra),
            "keras_version": keras_version}


def compiled_case(optimizer: str):
    rng = np.random.RandomState(7)
    model = _seq(f"compiled_{optimizer}", (6,), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax"))
    _randomize(model, rng)
    cls = getattr(symk.optimizers, OPTIMIZER_CLASSES[optimizer])
    model.compile(optimizer=cls(**OPTIMIZER_CASES[optimizer]), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    x = rng.uniform(-1, 1, (20, 6)).astype(F32)
    y = np.eye(3, dtype=F32)[rng.randint(0, 3, 20)]
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)  # 3 steps
    variables = optimizer_variables(model)  # in the order the files hold them
    extra = {"x_train": x, "y_train": y, "iterations": np.asarray(model.optimizer.iterations.numpy(), np.int64),
             "opt_names": np.asarray(optimizer_weight_names(model, variables))}
    extra.update({f"opt_{i}": np.asarray(v.numpy()) for i, v in enumerate(variables)})
    return model, [x[:4]], extra


CASES = list(PREDICTION_CASES) + [f"compiled_{name}" for name in OPTIMIZER_CASES]


def build_case(name: str):
    """(model, inputs, extra npz arrays, description) for one catalog case, the same on every call."""
    symk.backend.clear_session()
    symk.utils.set_random_seed(42)
    if name in PREDICTION_CASES:
        model, specs = PREDICTION_CASES[name]()
        _randomize(model, _rng(name))
        return model, _inputs(specs, _rng(name)), {}, name
    optimizer = name[len("compiled_"):]
    if optimizer not in OPTIMIZER_CASES:
        raise KeyError(f"unknown case {name!r}; known: {CASES}")
    model, xs, extra = compiled_case(optimizer)
    return model, xs, extra, (f"Dense MLP compiled with {OPTIMIZER_CLASSES[optimizer]}"
                              f"({OPTIMIZER_CASES[optimizer]}), trained 3 steps")


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    keras_version = 3
    if "--keras-version" in argv:
        at = argv.index("--keras-version")
        keras_version = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    out_dir, wanted = argv[0], argv[1:] or CASES
    os.makedirs(out_dir, exist_ok=True)
    catalog = []
    for name in wanted:
        model, xs, extra, description = build_case(name)
        catalog.append(write_case(out_dir, name, model, xs, extra, description, keras_version))
    with open(os.path.join(out_dir, "catalog.json"), "w") as f:
        json.dump({"writer": f"symk {getattr(symk, '__version__', '?')}", "keras_version": keras_version,
                   "cases": catalog}, f, indent=1)
    print(f"wrote {len(catalog)} cases to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
