"""Generate Keras 3 (JAX backend) reference data for symk's tests.

Run with:  KERAS_BACKEND=jax python tools/keras_refs/make_keras3.py
Writes tests/references/keras3/* and tests/references/keras3/_manifest_part.json
"""
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common as C  # noqa: E402

assert keras.backend.backend() == "jax", keras.backend.backend()
SUB = "keras3"
OUTD = C.out_dir(SUB)
WRITER = "keras %s (backend %s)" % (keras.__version__, keras.backend.backend())
ENTRIES = []


def rel(name):
    return SUB + "/" + name


def add(name, kind, case, description, **extra):
    e = {"file": rel(name), "writer": WRITER, "keras_version": keras.__version__,
         "kind": kind, "case": case, "description": description}
    e.update(extra)
    ENTRIES.append(e)


# ---------------------------------------------------------------------------
# A. prediction + file cases
# ---------------------------------------------------------------------------
def build(case):
    if case in ("mlp", "mlp_compiled"):
        return keras.Sequential([
            keras.Input((8,)),
            layers.Dense(16, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(4, activation="softmax"),
        ], name=case)
    if case == "cnn":
        m = keras.Sequential([
            keras.Input((8, 8, 3)),
            layers.Conv2D(4, (3, 3), activation="relu"),
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
            keras.Input((6,), dtype="int32"),
            layers.Embedding(20, 5),
            layers.LSTM(7, return_sequences=True),
            layers.GRU(4),
            layers.Dense(2),
        ], name="rnn")
    if case == "rnn2":
        return keras.Sequential([
            keras.Input((5, 4)),
            layers.SimpleRNN(3, return_sequences=True),
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
            keras.Input((5,)),
            layers.Dense(4, activation="relu", name="inner_dense_1"),
            layers.Dense(3, name="inner_dense_2"),
        ], name="inner")
        inp = keras.Input((5,), name="outer_input")
        out = layers.Dense(2, name="outer_dense")(inner(inp))
        return keras.Model(inp, out, name="outer")
    if case == "conv1d_misc":
        return keras.Sequential([
            keras.Input((7, 4)),
            layers.Conv1D(3, 2, padding="causal", activation="relu"),
            layers.LayerNormalization(),
            layers.Flatten(),
            layers.Dense(2),
        ], name="conv1d_misc")
    if case == "conv2d_misc":
        return keras.Sequential([
            keras.Input((6, 6, 2)),
            layers.SeparableConv2D(4, (3, 3), padding="same"),
            layers.DepthwiseConv2D((3, 3), depth_multiplier=2),
            layers.Conv2DTranspose(3, (3, 3), strides=(2, 2)),
            layers.GlobalAveragePooling2D(),
            layers.Dense(2),
        ], name="conv2d_misc")
    raise KeyError(case)


PRED_CASES = ["mlp", "mlp_compiled", "cnn", "rnn", "rnn2", "multi_io", "nested", "conv1d_misc", "conv2d_misc"]
WEIGHTS_CASES = {"mlp", "cnn", "nested"}


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
    model.save(os.path.join(OUTD, case + ".h5"))
    desc = C.PRED_DESCRIPTIONS[case]
    summary = C.layer_summary(model)
    add(case + ".h5", "model_h5_legacy", case, desc + " Written with model.save('%s.h5') (legacy HDF5 layout)." % case,
        seed=seed, layers=summary, model_name=model.name)
    add(case + ".npz", "prediction_npz", case,
        "Inputs and model.predict outputs for %s.h5 (float32 outputs; predict in inference mode)." % case,
        seed=seed, pairs_with=rel(case + ".h5"))
    if case in WEIGHTS_CASES:
        model.save_weights(os.path.join(OUTD, case + ".weights.h5"))
        add(case + ".weights.h5", "weights_h5_keras3", case,
            "Keras 3 native weights file from model.save_weights('%s.weights.h5') for the same model as %s.h5 "
            "(identical weight values)." % (case, case), pairs_with=rel(case + ".h5"))


# ---------------------------------------------------------------------------
# B. training cases
# ---------------------------------------------------------------------------
def train(name, spec):
    spec = C.train_case(spec)
    if "keras3" not in spec["versions"]:
        return
    keras.backend.clear_session()
    keras.utils.set_random_seed(C.TRAIN_SEED)
    x, y = C.train_data(spec["label"])
    k = C.out_units(spec["label"])
    model = keras.Sequential([
        keras.Input((6,)),
        layers.Dense(8, activation="relu"),
        layers.Dense(k, activation=C.out_activation(spec["label"])),
    ], name="train_" + name)
    w_init = C.init_weights(spec["label"])
    model.set_weights(w_init)
    module, cls, kwargs = spec["opt"]
    opt = getattr(keras.optimizers, cls)(**kwargs)
    model.compile(optimizer=opt, loss=spec["loss"], metrics=list(spec["metrics"]))
    model.save(os.path.join(OUTD, "train_%s_init.h5" % name))
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
        "optimizer_class": "keras.optimizers.%s" % cls,
        "optimizer_kwargs": kwargs,
        "optimizer_config": opt.get_config(),
        "loss": spec["loss"], "metrics": list(spec["metrics"]), "label_kind": spec["label"],
        "batch_size": C.BATCH, "epochs": C.EPOCHS, "shuffle": False,
        "validation_split": spec["validation_split"], "n_samples": C.N_TRAIN,
        "history": hist_j,
        "model": "Sequential: Input(6) -> Dense(8, relu) -> Dense(%d, %s); initial weights = init_w0..3 "
                 "(numpy-generated, identical for keras2/keras3)" % (k, C.out_activation(spec["label"])),
    }
    add("train_%s_init.h5" % name, "train_init_h5_legacy", name,
        "Compiled model with the fixed initial weights, saved BEFORE training (legacy HDF5; training_config present, "
        "no optimizer_weights because the optimizer is not built yet).", training=train_info)
    add("train_%s.npz" % name, "train_npz", name,
        "Training reference: x, y, init_w*, final weights w* (model.get_weights() order: kernel0, bias0, kernel1, bias1), "
        "hist_<key> = history.history[key] per epoch (float64).", training=train_info,
        pairs_with=rel("train_%s_init.h5" % name))


# ---------------------------------------------------------------------------
# C. losses and metrics
# ---------------------------------------------------------------------------
def losses_metrics():
    rng = np.random.RandomState(99)
    n, k = 5, 3
    arr = {}
    arr["reg_true"] = rng.uniform(0.1, 2.0, (n, k)).astype(np.float32)
    arr["reg_pred"] = rng.uniform(0.1, 2.0, (n, k)).astype(np.float32)
    arr["bin_true"] = (rng.uniform(0, 1, (n, k)) > 0.5).astype(np.float32)
    arr["bin_logits"] = rng.normal(0, 2, (n, k)).astype(np.float32)
    arr["bin_prob"] = (1 / (1 + np.exp(-arr["bin_logits"]))).astype(np.float32)
    cls = rng.randint(0, k, n)
    arr["cat_true"] = np.eye(k, dtype=np.float32)[cls]
    arr["sparse_true"] = cls.astype(np.int32)
    arr["cat_logits"] = rng.normal(0, 2, (n, k)).astype(np.float32)
    e = np.exp(arr["cat_logits"] - arr["cat_logits"].max(-1, keepdims=True))
    arr["cat_prob"] = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    arr["sign_pred"] = rng.normal(0, 1, (n, k)).astype(np.float32)  # for hinge family
    arr["dist_true"] = arr["reg_true"] / arr["reg_true"].sum(-1, keepdims=True)  # for KL
    arr["dist_pred"] = arr["cat_prob"]

    L = keras.losses
    # name -> (ctor, y_true key, y_pred key)
    loss_defs = [
        ("mean_squared_error", L.MeanSquaredError, {}, "reg_true", "reg_pred"),
        ("mean_absolute_error", L.MeanAbsoluteError, {}, "reg_true", "reg_pred"),
        ("mean_absolute_percentage_error", L.MeanAbsolutePercentageError, {}, "reg_true", "reg_pred"),
        ("mean_squared_logarithmic_error", L.MeanSquaredLogarithmicError, {}, "reg_true", "reg_pred"),
        ("binary_crossentropy", L.BinaryCrossentropy, {}, "bin_true", "bin_prob"),
        ("binary_crossentropy_from_logits", L.BinaryCrossentropy, {"from_logits": True}, "bin_true", "bin_logits"),
        ("categorical_crossentropy", L.CategoricalCrossentropy, {}, "cat_true", "cat_prob"),
        ("categorical_crossentropy_label_smoothing_0.1", L.CategoricalCrossentropy, {"label_smoothing": 0.1},
         "cat_true", "cat_prob"),
        ("categorical_crossentropy_from_logits", L.CategoricalCrossentropy, {"from_logits": True}, "cat_true", "cat_logits"),
        ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy, {}, "sparse_true", "cat_prob"),
        ("sparse_categorical_crossentropy_from_logits", L.SparseCategoricalCrossentropy, {"from_logits": True},
         "sparse_true", "cat_logits"),
        ("hinge", L.Hinge, {}, "bin_true", "sign_pred"),
        ("squared_hinge", L.SquaredHinge, {}, "bin_true", "sign_pred"),
        ("categorical_hinge", L.CategoricalHinge, {}, "cat_true", "sign_pred"),
        ("kl_divergence", L.KLDivergence, {}, "dist_true", "dist_pred"),
        ("poisson", L.Poisson, {}, "reg_true", "reg_pred"),
        ("cosine_similarity", L.CosineSimilarity, {}, "reg_true", "sign_pred"),
        ("huber", L.Huber, {}, "reg_true", "sign_pred"),
        ("log_cosh", L.LogCosh, {}, "reg_true", "sign_pred"),
    ]
    loss_info = {}
    for name, ctor, kw, tk, pk in loss_defs:
        obj = ctor(**kw)
        val = float(obj(arr[tk], arr[pk]))
        per = np.asarray(ctor(reduction=None, **kw)(arr[tk], arr[pk]), np.float32)
        arr["loss/" + name] = np.float32(val)
        arr["loss_per_sample/" + name] = per
        loss_info[name] = {"class": "keras.losses." + ctor.__name__, "kwargs": kw, "y_true": tk, "y_pred": pk,
                           "value": val, "default_reduction": obj.reduction,
                           "config": obj.get_config()}

    # metrics over two batches
    rng = np.random.RandomState(7)
    m_arr = {}
    for b in range(2):
        m_arr["mb%d_bin_true" % b] = (rng.uniform(0, 1, (6, 1)) > 0.5).astype(np.float32)
        m_arr["mb%d_bin_prob" % b] = rng.uniform(0, 1, (6, 1)).astype(np.float32)
        c = rng.randint(0, 4, 6)
        m_arr["mb%d_cat_true" % b] = np.eye(4, dtype=np.float32)[c]
        m_arr["mb%d_sparse_true" % b] = c.astype(np.int32)
        logits = rng.normal(0, 1, (6, 4))
        p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        m_arr["mb%d_cat_prob" % b] = p.astype(np.float32)
    arr.update(m_arr)
    M = keras.metrics
    metric_defs = [
        ("binary_accuracy", M.BinaryAccuracy, {}, "bin_true", "bin_prob"),
        ("categorical_accuracy", M.CategoricalAccuracy, {}, "cat_true", "cat_prob"),
        ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy, {}, "sparse_true", "cat_prob"),
        ("top_k_categorical_accuracy_k2", M.TopKCategoricalAccuracy, {"k": 2}, "cat_true", "cat_prob"),
        ("auc", M.AUC, {}, "bin_true", "bin_prob"),
        ("precision", M.Precision, {}, "bin_true", "bin_prob"),
        ("recall", M.Recall, {}, "bin_true", "bin_prob"),
    ]
    metric_info = {}
    for name, ctor, kw, tk, pk in metric_defs:
        m = ctor(**kw)
        m.update_state(arr["mb0_" + tk], arr["mb0_" + pk])
        v1 = float(m.result())
        m.update_state(arr["mb1_" + tk], arr["mb1_" + pk])
        v2 = float(m.result())
        arr["metric_after_batch0/" + name] = np.float32(v1)
        arr["metric/" + name] = np.float32(v2)
        metric_info[name] = {"class": "keras.metrics." + ctor.__name__, "kwargs": kw,
                             "y_true": "mb{0,1}_" + tk, "y_pred": "mb{0,1}_" + pk,
                             "value_after_batch0": v1, "value_after_both_batches": v2, "config": m.get_config()}
    np.savez(os.path.join(OUTD, "losses_metrics.npz"), **arr)
    add("losses_metrics.npz", "losses_metrics_npz", "losses_metrics",
        "Loss values from keras.losses CLASSES with default reduction ('sum_over_batch_size' -> scalar) under "
        "'loss/<name>', and per-sample values (reduction=None) under 'loss_per_sample/<name>'. Inputs: reg_* (positive), "
        "bin_true (0/1; hinge losses convert 0/1 -> -1/+1 internally), bin_prob = sigmoid(bin_logits), cat_true one-hot, "
        "sparse_true int, cat_prob = softmax(cat_logits), sign_pred ~N(0,1), dist_true rows sum to 1, dist_pred = cat_prob. "
        "Metrics: stateful metric objects updated with batch mb0_* then mb1_*; 'metric_after_batch0/<name>' after the first "
        "update, 'metric/<name>' after both (accumulated). Default thresholds 0.5, AUC num_thresholds=200 (ROC, interpolation).",
        losses=loss_info, metrics=metric_info)


def main():
    for i, case in enumerate(PRED_CASES):
        pred_case(case, seed=100 + i)
    for name, spec in C.TRAIN_CASES:
        train(name, spec)
    losses_metrics()
    C.write_json(os.path.join(OUTD, "_manifest_part.json"),
                 {"writer": WRITER, "keras_version": keras.__version__, "backend": keras.backend.backend(),
                  "numpy_version": np.__version__, "entries": ENTRIES})
    print("wrote %d entries to %s" % (len(ENTRIES), OUTD))


if __name__ == "__main__":
    main()
