"""Generate Keras 2 (tf-keras, TensorFlow backend) reference data for symk's tests.

Run with:  python tools/keras_refs/make_keras2.py
Writes tests/references/keras2/* and tests/references/keras2/_manifest_part.json
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

tf.config.experimental.enable_op_determinism()
SUB = "keras2"
OUTD = C.out_dir(SUB)
WRITER = "tf_keras %s (tensorflow %s)" % (keras.__version__, tf.__version__)
ENTRIES = []


def rel(name):
    return SUB + "/" + name


def add(name, kind, case, description, **extra):
    e = {"file": rel(name), "writer": WRITER, "keras_version": keras.__version__,
         "kind": kind, "case": case, "description": description}
    e.update(extra)
    ENTRIES.append(e)


# ---------------------------------------------------------------------------
# A. prediction + file cases (classic Keras 2 style: input_shape= on the first layer)
# ---------------------------------------------------------------------------
def build(case):
    if case in ("mlp", "mlp_compiled"):
        return keras.Sequential([
            layers.Dense(16, activation="relu", input_shape=(8,)),
            layers.Dropout(0.5),
            layers.Dense(4, activation="softmax"),
        ], name=case)
    if case == "cnn":
        m = keras.Sequential([
            layers.Conv2D(4, (3, 3), activation="relu", input_shape=(8, 8, 3)),
            layers.BatchNormalization(),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(6, (3, 3), padding="same"),
            layers.AveragePooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(3, activation="softmax"),
        ], name="cnn")
        m.layers[1].set_weights(C.bn_stats(4))
        return m
    if case == "rnn":
        return keras.Sequential([
            layers.Embedding(20, 5, input_length=6),
            layers.LSTM(7, return_sequences=True),
            layers.GRU(4),
            layers.Dense(2),
        ], name="rnn")
    if case == "rnn2":
        return keras.Sequential([
            layers.SimpleRNN(3, return_sequences=True, input_shape=(5, 4)),
            layers.Bidirectional(layers.LSTM(3)),
            layers.Dense(2),
        ], name="rnn2")
    if case == "multi_io":
        main_in = keras.Input((6,), name="main_input")
        aux_in = keras.Input((3,), name="aux_input")
        h = layers.Dense(8, activation="relu", name="shared_dense")(main_in)
        aux_out = layers.Dense(2, activation="softmax", name="aux_output")(h)
        c = layers.Concatenate(name="concat")([h, aux_in])
        c = layers.Dense(4, activation="relu", name="hidden")(c)
        main_out = layers.Dense(1, activation="sigmoid", name="main_output")(c)
        return keras.Model([main_in, aux_in], [main_out, aux_out], name="multi_io")
    if case == "nested":
        inner = keras.Sequential([
            layers.Dense(4, activation="relu", name="inner_dense_1", input_shape=(5,)),
            layers.Dense(3, name="inner_dense_2"),
        ], name="inner")
        inp = keras.Input((5,), name="outer_input")
        out = layers.Dense(2, name="outer_dense")(inner(inp))
        return keras.Model(inp, out, name="outer")
    if case == "conv1d_misc":
        return keras.Sequential([
            layers.Conv1D(3, 2, padding="causal", activation="relu", input_shape=(7, 4)),
            layers.LayerNormalization(),
            layers.Flatten(),
            layers.Dense(2),
        ], name="conv1d_misc")
    if case == "conv2d_misc":
        return keras.Sequential([
            layers.SeparableConv2D(4, (3, 3), padding="same", input_shape=(6, 6, 2)),
            layers.DepthwiseConv2D((3, 3), depth_multiplier=2),
            layers.Conv2DTranspose(3, (3, 3), strides=(2, 2)),
            layers.GlobalAveragePooling2D(),
            layers.Dense(2),
        ], name="conv2d_misc")
    raise KeyError(case)


PRED_CASES = ["mlp", "mlp_compiled", "cnn", "rnn", "rnn2", "multi_io", "nested", "conv1d_misc", "conv2d_misc"]
WEIGHTS_CASES = {"mlp", "cnn"}


def pred_case(case, seed):
    keras.backend.clear_session()  # fresh auto-generated layer names (dense, dense_1, ...) per file
    keras.utils.set_random_seed(seed)
    model = build(case)
    extra_npz = {}
    if case == "mlp_compiled":
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        xt, yt = C.mlp_compiled_train_data()
        model.fit(xt, yt, epochs=1, batch_size=8, shuffle=False, verbose=0)
        extra_npz = {"x_train": xt, "y_train": yt}
    xs = C.pred_inputs(case)
    ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = ys if isinstance(ys, (list, tuple)) else [ys]
    arrs = {}
    if len(xs) == 1:
        arrs["x"] = xs[0]
    else:
        arrs.update({"x%d" % i: v for i, v in enumerate(xs)})
    if len(ys) == 1:
        arrs["y"] = np.asarray(ys[0], np.float32)
    else:
        arrs.update({"y%d" % i: np.asarray(v, np.float32) for i, v in enumerate(ys)})
    arrs.update(extra_npz)
    np.savez(os.path.join(OUTD, case + ".npz"), **arrs)
    model.save(os.path.join(OUTD, case + ".h5"), save_format="h5")
    desc = C.PRED_DESCRIPTIONS[case]
    if case == "rnn":
        desc += " (tf-keras: Embedding(20, 5, input_length=6); input layer dtype float32, ids cast inside Embedding.)"
    summary = C.layer_summary(model)
    add(case + ".h5", "model_h5_legacy", case,
        desc + " Written with model.save('%s.h5', save_format='h5')." % case,
        seed=seed, layers=summary, model_name=model.name)
    add(case + ".npz", "prediction_npz", case,
        "Inputs and model.predict outputs for %s.h5 (float32 outputs; predict in inference mode)." % case,
        seed=seed, pairs_with=rel(case + ".h5"))
    if case in WEIGHTS_CASES:
        model.save_weights(os.path.join(OUTD, case + "_weights.h5"))
        add(case + "_weights.h5", "weights_h5_legacy", case,
            "Legacy weights-only HDF5 file from model.save_weights('%s_weights.h5') for the same model as %s.h5 "
            "(identical weight values; root attrs layer_names/backend/keras_version, one group per layer)."
            % (case, case), pairs_with=rel(case + ".h5"))


# ---------------------------------------------------------------------------
# B. training cases
# ---------------------------------------------------------------------------
def make_optimizer(module, cls, kwargs):
    if module == "legacy":
        return getattr(keras.optimizers.legacy, cls)(**kwargs), "tf_keras.optimizers.legacy.%s" % cls
    return getattr(keras.optimizers, cls)(**kwargs), "tf_keras.optimizers.%s" % cls


def train(name, spec):
    spec = C.train_case(spec)
    if "keras2" not in spec["versions"]:
        return
    keras.backend.clear_session()
    keras.utils.set_random_seed(C.TRAIN_SEED)
    x, y = C.train_data(spec["label"])
    k = C.out_units(spec["label"])
    model = keras.Sequential([
        layers.Dense(8, activation="relu", input_shape=(6,)),
        layers.Dense(k, activation=C.out_activation(spec["label"])),
    ], name="train_" + name)
    w_init = C.init_weights(spec["label"])
    model.set_weights(w_init)
    module, cls, kwargs = spec["opt"]
    opt, opt_path = make_optimizer(module, cls, kwargs)
    model.compile(optimizer=opt, loss=spec["loss"], metrics=list(spec["metrics"]))
    model.save(os.path.join(OUTD, "train_%s_init.h5" % name), save_format="h5")
    hist = model.fit(x, y, batch_size=C.BATCH, epochs=C.EPOCHS, shuffle=False,
                     validation_split=spec["validation_split"], verbose=0)
    arrs = {"x": x, "y": y}
    arrs.update({"init_w%d" % i: w for i, w in enumerate(w_init)})
    arrs.update({"w%d" % i: np.asarray(w) for i, w in enumerate(model.get_weights())})
    hist_j = {key: [float(v) for v in vals] for key, vals in hist.history.items()}
    for key, vals in hist_j.items():
        arrs["hist_" + key] = np.asarray(vals, np.float64)
    np.savez(os.path.join(OUTD, "train_%s.npz" % name), **arrs)
    train_info = {
        "optimizer_class": opt_path,
        "optimizer_python_class": "%s.%s" % (type(opt).__module__, type(opt).__name__),
        "optimizer_kwargs": kwargs,
        "optimizer_config": opt.get_config(),
        "loss": spec["loss"], "metrics": list(spec["metrics"]), "label_kind": spec["label"],
        "batch_size": C.BATCH, "epochs": C.EPOCHS, "shuffle": False,
        "validation_split": spec["validation_split"], "n_samples": C.N_TRAIN,
        "history": hist_j,
        "model": "Sequential: Dense(8, relu, input_shape=(6,)) -> Dense(%d, %s); initial weights = init_w0..3 "
                 "(numpy-generated, identical for keras2/keras3)" % (k, C.out_activation(spec["label"])),
    }
    add("train_%s_init.h5" % name, "train_init_h5_legacy", name,
        "Compiled model with the fixed initial weights, saved BEFORE training (save_format='h5'; training_config "
        "present).", training=train_info)
    add("train_%s.npz" % name, "train_npz", name,
        "Training reference: x, y, init_w*, final weights w* (model.get_weights() order: kernel0, bias0, kernel1, bias1), "
        "hist_<key> = history.history[key] per epoch (float64).", training=train_info,
        pairs_with=rel("train_%s_init.h5" % name))


def main():
    for i, case in enumerate(PRED_CASES):
        pred_case(case, seed=200 + i)
    for name, spec in C.TRAIN_CASES:
        train(name, spec)
    C.write_json(os.path.join(OUTD, "_manifest_part.json"),
                 {"writer": WRITER, "keras_version": keras.__version__, "tensorflow_version": tf.__version__,
                  "numpy_version": np.__version__, "entries": ENTRIES})
    print("wrote %d entries to %s" % (len(ENTRIES), OUTD))


if __name__ == "__main__":
    main()
