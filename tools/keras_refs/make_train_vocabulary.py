"""Keras 3 references for the newer losses, metrics, optimizers, optimizer options and schedules.

Run with the Keras venv (KERAS_BACKEND=jax):
    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_train_vocabulary.py

Writes tests/references/keras3/train_vocabulary/:
  losses.npz / losses.json       inputs, per-case values (default reduction, reduction=None, weighted
                                 'sum' and 'mean_with_sample_weight'), function forms, configs
  metrics.npz / metrics.json     batches (y_true, y_pred, sample weight), result after each update_state,
                                 configs, Keras's metric names that `metrics.get` accepts
  optimizers.npz / optimizers.json  short fit() trajectories: data, initial and final weights, loss per
                                 epoch, optimizer variables (names, values) after training, configs
  compiled_metrics.npz / .json   fit() histories of models compiled with metrics given by name or instance
  schedules.npz / schedules.json values at steps 0..40 and configs
Name sections to write only those: `make_train_vocabulary.py metrics compiled_metrics`.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

import common as C  # noqa: E402

OUT = C.out_dir(os.path.join("keras3", "train_vocabulary"))
F32 = np.float32
L, M, O, S = keras.losses, keras.metrics, keras.optimizers, keras.optimizers.schedules


def rng(seed):
    return np.random.RandomState(seed)


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------
def loss_inputs():
    r = rng(11)
    bin_true = (r.uniform(size=(8, 3)) > 0.5).astype(F32)
    bin_logits = r.normal(0, 2, (8, 3)).astype(F32)
    cat_labels = r.randint(0, 4, 8)
    cat_logits = r.normal(0, 2, (8, 4)).astype(F32)
    cat_prob = (np.exp(cat_logits) / np.exp(cat_logits).sum(-1, keepdims=True)).astype(F32)
    emb = r.normal(size=(8, 6)).astype(F32)
    ctc_labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 2]], np.int32)
    return {
        "bin_true": bin_true, "bin_logits": bin_logits, "bin_prob": (1 / (1 + np.exp(-bin_logits))).astype(F32),
        "cat_true": np.eye(4, dtype=F32)[cat_labels], "cat_labels": cat_labels.astype(F32),
        "cat_logits": cat_logits, "cat_prob": cat_prob,
        "seg_true": (r.uniform(size=(4, 5, 5)) > 0.6).astype(F32), "seg_prob": r.uniform(0.01, 0.99, (4, 5, 5)).astype(F32),
        # labels 0, 0, 1, 1, 1, 2, 3, 3: label 2 has no positive pair (masked out of Circle's mean)
        "emb_labels": np.array([0, 0, 1, 1, 1, 2, 3, 3], np.int32),
        "emb": (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(F32),
        "ctc_labels": ctc_labels, "ctc_logits": r.normal(size=(3, 6, 5)).astype(F32),
        "w8": r.uniform(0.2, 2.0, 8).astype(F32), "w4": r.uniform(0.2, 2.0, 4).astype(F32),
        "w3": r.uniform(0.2, 2.0, 3).astype(F32),
    }


LOSS_CASES = [
    # name, class, kwargs, y_true key, y_pred key, sample weight key
    ("bfce", "BinaryFocalCrossentropy", {}, "bin_true", "bin_prob", "w8"),
    ("bfce_balanced", "BinaryFocalCrossentropy",
     dict(apply_class_balancing=True, alpha=0.3, gamma=1.5, from_logits=True, label_smoothing=0.1),
     "bin_true", "bin_logits", "w8"),
    ("cfce", "CategoricalFocalCrossentropy", {}, "cat_true", "cat_prob", "w8"),
    ("cfce_logits", "CategoricalFocalCrossentropy", dict(alpha=0.5, gamma=3.0, from_logits=True, label_smoothing=0.05),
     "cat_true", "cat_logits", "w8"),
    ("cgce", "CategoricalGeneralizedCrossEntropy", dict(q=0.7), "cat_labels", "cat_prob", "w8"),
    ("dice", "Dice", {}, "seg_true", "seg_prob", None),
    ("dice_axis", "Dice", dict(axis=(1, 2)), "seg_true", "seg_prob", "w4"),
    ("tversky", "Tversky", dict(alpha=0.3, beta=0.7), "seg_true", "seg_prob", None),
    ("tversky_axis", "Tversky", dict(alpha=0.6, beta=0.4, axis=(1, 2)), "seg_true", "seg_prob", "w4"),
    ("circle", "Circle", {}, "emb_labels", "emb", "w8"),
    ("circle_custom", "Circle", dict(gamma=20.0, margin=0.25, remove_diagonal=False), "emb_labels", "emb", "w8"),
    ("ctc", "CTC", {}, "ctc_labels", "ctc_logits", "w3"),
]
LOSS_FUNCTIONS = [
    # name, function, kwargs, y_true key, y_pred key
    ("binary_focal_crossentropy", L.binary_focal_crossentropy, dict(gamma=1.0), "bin_true", "bin_prob"),
    ("categorical_focal_crossentropy", L.categorical_focal_crossentropy, {}, "cat_true", "cat_prob"),
    ("categorical_generalized_cross_entropy", L.categorical_generalized_cross_entropy, dict(q=0.3),
     "cat_labels", "cat_prob"),
    ("dice", L.dice, dict(axis=[1, 2]), "seg_true", "seg_prob"),
    ("tversky", L.tversky, dict(alpha=0.2, beta=0.8), "seg_true", "seg_prob"),
    ("circle", L.circle, dict(gamma=40, margin=0.3), "emb_labels", "emb"),
    ("ctc", L.ctc, {}, "ctc_labels", "ctc_logits"),
]


def make_losses():
    data = loss_inputs()
    arrays = {f"in/{k}": v for k, v in data.items()}
    cases = {}
    for name, cls, kwargs, tk, pk, wk in LOSS_CASES:
        ctor = getattr(L, cls)
        y_true, y_pred = data[tk], data[pk]
        arrays[f"value/{name}"] = np.asarray(ctor(**kwargs)(y_true, y_pred))
        arrays[f"none/{name}"] = np.asarray(ctor(reduction=None, **kwargs)(y_true, y_pred))
        if wk is not None:
            w = data[wk]
            arrays[f"sum_weighted/{name}"] = np.asarray(ctor(reduction="sum", **kwargs)(y_true, y_pred, sample_weight=w))
            arrays[f"mean_sw/{name}"] = np.asarray(
                ctor(reduction="mean_with_sample_weight", **kwargs)(y_true, y_pred, sample_weight=w))
        cases[name] = {"class": cls, "kwargs": kwargs, "y_true": tk, "y_pred": pk, "sample_weight": wk,
                       "config": ctor(**kwargs).get_config()}
    functions = {}
    for name, fn, kwargs, tk, pk in LOSS_FUNCTIONS:
        arrays[f"fn/{name}"] = np.asarray(fn(data[tk], data[pk], **kwargs))
        functions[name] = {"kwargs": kwargs, "y_true": tk, "y_pred": pk,
                           "also_in_metrics": hasattr(M, name) and getattr(M, name) is fn}
    np.savez(os.path.join(OUT, "losses.npz"), **arrays)
    C.write_json(os.path.join(OUT, "losses.json"), {"cases": cases, "functions": functions,
                                                     "loss_names": sorted(_loss_names())})


def _loss_names():
    from keras.src.losses import ALL_OBJECTS_DICT

    return list(ALL_OBJECTS_DICT)


# ---------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------
def metric_batches(kind, seed):
    """Three batches (y_true, y_pred, sample_weight or None) of one kind of data."""
    r = rng(seed)
    out = []
    for i in range(3):
        n = 6
        if kind == "multilabel":
            yt, yp = (r.uniform(size=(n, 3)) > 0.5).astype(F32), r.uniform(0.02, 0.98, (n, 3)).astype(F32)
        elif kind == "binary":
            yt, yp = (r.uniform(size=(n, 1)) > 0.5).astype(F32), r.uniform(0.02, 0.98, (n, 1)).astype(F32)
        elif kind == "regression":
            yt = r.normal(size=(n, 2)).astype(F32)
            yp = (yt + r.normal(0, 0.7, (n, 2))).astype(F32)
        elif kind == "wide":
            yt = r.normal(size=(n, 4)).astype(F32)
            yp = (yt * 0.6 + r.normal(0, 0.6, (n, 4))).astype(F32)
        elif kind == "positive":
            yt = r.uniform(0.1, 2.0, (n, 4)).astype(F32)
            yp = r.uniform(0.1, 2.0, (n, 4)).astype(F32)
        elif kind == "prob":
            yt = r.dirichlet(np.ones(4), n).astype(F32)
            yp = r.dirichlet(np.ones(4), n).astype(F32)
        elif kind == "onehot":
            yt = np.eye(3, dtype=F32)[r.randint(0, 3, n)]
            logits = r.normal(size=(n, 3))
            yp = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(F32)
        elif kind == "labels":
            yt, yp = r.randint(0, 3, n).astype(F32), r.randint(0, 3, n).astype(F32)
        elif kind == "labels_prob":
            yt = r.randint(0, 3, n).astype(F32)
            logits = r.normal(size=(n, 3))
            yp = (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype(F32)
        elif kind == "hinge":
            yt = np.where(r.uniform(size=(n, 3)) > 0.5, 1.0, -1.0).astype(F32)
            yp = r.normal(size=(n, 3)).astype(F32)
        else:
            raise KeyError(kind)
        weight = None if i == 0 else r.uniform(0.2, 2.0, n).astype(F32)
        if kind in ("labels", "labels_prob", "onehot") and weight is not None:
            weight = r.randint(0, 3, n).astype(F32)  # IoU counts in integers
        out.append((yt, yp, weight))
    return out


METRIC_CASES = [
    # name, class, kwargs, data kind
    ("f1", "F1Score", {}, "multilabel"),
    ("f1_micro", "F1Score", dict(average="micro", threshold=0.5), "multilabel"),
    ("f1_macro", "F1Score", dict(average="macro", threshold=0.4), "multilabel"),
    ("f1_weighted", "F1Score", dict(average="weighted"), "multilabel"),
    ("fbeta", "FBetaScore", dict(beta=2.0, average="macro", threshold=0.5), "multilabel"),
    ("fbeta_none", "FBetaScore", dict(beta=0.5), "onehot"),
    ("r2", "R2Score", {}, "regression"),
    ("r2_variance", "R2Score", dict(class_aggregation="variance_weighted_average"), "regression"),
    ("r2_raw_adjusted", "R2Score", dict(class_aggregation=None, num_regressors=2), "regression"),
    ("r2_adjusted", "R2Score", dict(num_regressors=3), "wide"),
    ("iou", "IoU", dict(num_classes=3, target_class_ids=[0, 2]), "labels"),
    ("iou_ignore", "IoU", dict(num_classes=3, target_class_ids=[1, 2], ignore_class=0, sparse_y_pred=False),
     "labels_prob"),
    ("mean_iou", "MeanIoU", dict(num_classes=3), "labels"),
    ("binary_iou", "BinaryIoU", {}, "binary"),
    ("binary_iou_one", "BinaryIoU", dict(target_class_ids=[1], threshold=0.3), "binary"),
    ("one_hot_iou", "OneHotIoU", dict(num_classes=3, target_class_ids=[0, 1]), "onehot"),
    ("one_hot_mean_iou", "OneHotMeanIoU", dict(num_classes=3), "onehot"),
    ("tp", "TruePositives", {}, "binary"),
    ("fp", "FalsePositives", dict(thresholds=[0.3, 0.6]), "binary"),
    ("tn", "TrueNegatives", dict(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]), "multilabel"),
    ("fn", "FalseNegatives", dict(thresholds=0.7), "multilabel"),
    ("precision_top_k", "Precision", dict(top_k=2), "multilabel"),
    ("recall_class_id", "Recall", dict(class_id=1, thresholds=[0.3, 0.7]), "multilabel"),
    ("precision_at_recall", "PrecisionAtRecall", dict(recall=0.6, num_thresholds=50), "binary"),
    ("recall_at_precision", "RecallAtPrecision", dict(precision=0.6), "multilabel"),
    ("sensitivity_at_specificity", "SensitivityAtSpecificity", dict(specificity=0.5, class_id=2), "multilabel"),
    ("specificity_at_sensitivity", "SpecificityAtSensitivity", dict(sensitivity=0.8, num_thresholds=7), "binary"),
    ("specificity_at_sensitivity_one", "SpecificityAtSensitivity", dict(sensitivity=0.4, num_thresholds=1),
     "multilabel"),
    ("pearson", "PearsonCorrelation", {}, "wide"),
    ("concordance", "ConcordanceCorrelation", {}, "wide"),
    ("hinge", "Hinge", {}, "hinge"),
    ("squared_hinge", "SquaredHinge", {}, "hinge"),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot"),
    ("kl_divergence", "KLDivergence", {}, "prob"),
    ("poisson", "Poisson", {}, "positive"),
    ("logcosh", "LogCoshError", {}, "wide"),
    ("cosine_similarity", "CosineSimilarity", {}, "wide"),
]
METRIC_FUNCTIONS = [("pearson_correlation", {}, "wide"), ("concordance_correlation", dict(axis=-1), "wide"),
                    ("hinge", {}, "hinge"), ("squared_hinge", {}, "hinge"), ("categorical_hinge", {}, "onehot"),
                    ("kl_divergence", {}, "prob"), ("poisson", {}, "positive"), ("log_cosh", {}, "wide"),
                    ("huber", dict(delta=0.5), "wide")]


def make_metrics():
    arrays, cases = {}, {}
    for index, (name, cls, kwargs, kind) in enumerate(METRIC_CASES):
        metric = getattr(M, cls)(**kwargs)
        batches = metric_batches(kind, 100 + index)
        for b, (yt, yp, w) in enumerate(batches):
            arrays[f"{name}/y_true{b}"], arrays[f"{name}/y_pred{b}"] = yt, yp
            if w is not None:
                arrays[f"{name}/weight{b}"] = w
            metric.update_state(yt, yp, sample_weight=w)
            arrays[f"{name}/result{b}"] = np.asarray(metric.result())
        cases[name] = {"class": cls, "kwargs": kwargs, "kind": kind, "config": metric.get_config(),
                       "batches": len(batches)}
    functions = {}
    for index, (name, kwargs, kind) in enumerate(METRIC_FUNCTIONS):
        yt, yp, _ = metric_batches(kind, 300 + index)[0]
        arrays[f"fn/{name}/y_true"], arrays[f"fn/{name}/y_pred"] = yt, yp
        arrays[f"fn/{name}"] = np.asarray(getattr(M, name)(yt, yp, **kwargs))
        functions[name] = {"kwargs": kwargs}
    from keras.src.metrics import ALL_OBJECTS_DICT

    names = {key: cls.__name__ for key, cls in ALL_OBJECTS_DICT.items()}
    np.savez(os.path.join(OUT, "metrics.npz"), **arrays)
    C.write_json(os.path.join(OUT, "metrics.json"), {"cases": cases, "functions": functions, "metric_names": names})


# ---------------------------------------------------------------------------
# metrics given to compile(), accumulated by fit()
# ---------------------------------------------------------------------------
COMPILED_METRICS = {
    "regression": ["r2_score", "pearson_correlation", "concordance_correlation", "log_cosh_error",
                   "cosine_similarity", ("R2Score", dict(class_aggregation="variance_weighted_average", name="r2_variance"))],
    "binary": ["true_positives", "false_negatives", "binary_io_u", ("F1Score", dict(average="micro", threshold=0.5)),
               ("PrecisionAtRecall", dict(recall=0.5)), ("SpecificityAtSensitivity", dict(sensitivity=0.5)),
               ("FBetaScore", dict(beta=2.0, threshold=0.5, average="macro")), "hinge"],
    "onehot": [("OneHotMeanIoU", dict(num_classes=3)), ("F1Score", dict(average="macro")), "categorical_hinge",
               ("OneHotIoU", dict(num_classes=3, target_class_ids=[0, 2])), ("Recall", dict(class_id=2))],
}
COMPILED_LOSS = {"regression": "mse", "binary": "binary_crossentropy", "onehot": "categorical_crossentropy"}


def _metric(entry):
    return entry if isinstance(entry, str) else getattr(M, entry[0])(**entry[1])


def make_compiled_metrics():
    arrays, cases = {}, {}
    for label, entries in COMPILED_METRICS.items():
        keras.backend.clear_session()
        x, y = C.train_data(label)
        init = C.init_weights(label)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"),
                                  keras.layers.Dense(C.out_units(label), activation=C.out_activation(label))])
        model.set_weights(init)
        model.compile(optimizer=O.Adam(learning_rate=0.01), loss=COMPILED_LOSS[label],
                      metrics=[_metric(e) for e in entries])
        history = model.fit(x, y, batch_size=C.BATCH, epochs=TRAIN_EPOCHS, shuffle=False, verbose=0)
        arrays[f"{label}/x"], arrays[f"{label}/y"] = x, y
        arrays.update({f"{label}/init_w{i}": w for i, w in enumerate(init)})
        for key, values in history.history.items():
            arrays[f"{label}/hist/{key}"] = np.asarray(values, np.float64)
        cases[label] = {"metrics": [e if isinstance(e, str) else list(e) for e in entries],
                        "loss": COMPILED_LOSS[label], "units": C.out_units(label),
                        "activation": C.out_activation(label), "history_keys": list(history.history)}
    np.savez(os.path.join(OUT, "compiled_metrics.npz"), **arrays)
    C.write_json(os.path.join(OUT, "compiled_metrics.json"), {
        "model": "Sequential: Input(6) -> Dense(8, relu) -> Dense(units, activation); Adam(0.01); "
                 "fit(batch_size=%d, epochs=%d, shuffle=False)" % (C.BATCH, TRAIN_EPOCHS), "cases": cases})


# ---------------------------------------------------------------------------
# optimizers: short fit() trajectories
# ---------------------------------------------------------------------------
def optimizer_cases():
    """name -> (optimizer factory, weight-decay exclusion or None, metrics)."""
    return {
        "lion": (lambda: O.Lion(learning_rate=0.01), None),
        "lion_wd": (lambda: O.Lion(learning_rate=0.005, beta_1=0.8, beta_2=0.95, weight_decay=0.1), None),
        "lamb": (lambda: O.Lamb(learning_rate=0.05), None),
        "lamb_wd_restarts": (lambda: O.Lamb(learning_rate=S.CosineDecayRestarts(0.05, 3, t_mul=2.0, m_mul=0.5,
                                                                                alpha=0.1),
                                            weight_decay=0.01, epsilon=1e-6), None),
        "adafactor": (lambda: O.Adafactor(learning_rate=0.1), None),
        "adafactor_custom": (lambda: O.Adafactor(learning_rate=0.05, beta_2_decay=-0.5, clip_threshold=0.5,
                                                 relative_step=False, epsilon_2=1e-2), None),
        "muon": (lambda: O.Muon(learning_rate=0.02), None),
        "muon_custom": (lambda: O.Muon(learning_rate=0.01, nesterov=False, rms_rate=None, exclude_layers=["head"],
                                       adam_lr_ratio=0.5, weight_decay=0.01, adam_weight_decay=0.0, momentum=0.9,
                                       ns_steps=3), None),
        "adam_ema": (lambda: O.Adam(learning_rate=0.01, use_ema=True, ema_momentum=0.9), None),
        "sgd_ema_overwrite": (lambda: O.SGD(learning_rate=0.1, momentum=0.9, use_ema=True, ema_momentum=0.8,
                                            ema_overwrite_frequency=3), None),
        "adam_accumulate": (lambda: O.Adam(learning_rate=0.01, gradient_accumulation_steps=3), None),
        "sgd_accumulate_poly": (lambda: O.SGD(learning_rate=S.PolynomialDecay(0.1, 6, end_learning_rate=0.01),
                                              momentum=0.5, gradient_accumulation_steps=2), None),
        "lion_accumulate_ema": (lambda: O.Lion(learning_rate=0.01, gradient_accumulation_steps=2, use_ema=True,
                                               ema_momentum=0.7, ema_overwrite_frequency=2), None),
        "adamw_exclude_bias": (lambda: O.AdamW(learning_rate=0.01, weight_decay=0.1), ("names", ["bias"])),
        "sgd_wd_exclude_kernel": (lambda: O.SGD(learning_rate=0.1, weight_decay=0.05), ("hidden_kernel", None)),
        "rmsprop_loss_scale": (lambda: O.RMSprop(learning_rate=0.01, loss_scale_factor=64.0), None),
        "loss_scale_adam": (lambda: O.LossScaleOptimizer(O.Adam(learning_rate=0.01), initial_scale=2.0 ** 10,
                                                         dynamic_growth_steps=3), None),
    }


TRAIN_EPOCHS = 2


def build_model(name):
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu", name="hidden"),
                             keras.layers.Dense(2, name="head")], name="voc_" + name)


def make_optimizers():
    x, y = C.train_data("regression")
    init = C.init_weights("regression")
    arrays = {"x": x, "y": y}
    arrays.update({f"init_w{i}": w for i, w in enumerate(init)})
    cases = {}
    for name, (factory, exclusion) in optimizer_cases().items():
        keras.backend.clear_session()
        keras.utils.set_random_seed(C.TRAIN_SEED)
        model = build_model(name)
        model.set_weights(init)
        opt = factory()
        if exclusion is not None:
            kind, value = exclusion
            if kind == "names":
                opt.exclude_from_weight_decay(var_names=value)
            else:
                opt.exclude_from_weight_decay(var_list=[model.layers[0].kernel])
        model.compile(optimizer=opt, loss="mse")
        history = model.fit(x, y, batch_size=C.BATCH, epochs=TRAIN_EPOCHS, shuffle=False, verbose=0)
        arrays[f"{name}/loss"] = np.asarray(history.history["loss"], np.float64)
        for i, w in enumerate(model.get_weights()):
            arrays[f"{name}/w{i}"] = np.asarray(w)
        variables = opt.variables
        for i, v in enumerate(variables):
            arrays[f"{name}/opt{i}"] = np.asarray(v)
        cases[name] = {"class": type(opt).__name__, "config": opt.get_config(), "exclusion": exclusion,
                       "optimizer_variables": [{"path": v.path, "shape": list(v.shape), "dtype": str(v.dtype)}
                                               for v in variables]}
    np.savez(os.path.join(OUT, "optimizers.npz"), **arrays)
    C.write_json(os.path.join(OUT, "optimizers.json"), {
        "model": "Sequential(name='voc_<case>'): Input(6) -> Dense(8, relu, name='hidden') -> Dense(2, name='head'); "
                 "loss 'mse'; weights init_w0..3; fit(x, y, batch_size=%d, epochs=%d, shuffle=False)"
                 % (C.BATCH, TRAIN_EPOCHS),
        "batch_size": C.BATCH, "epochs": TRAIN_EPOCHS, "cases": cases})


# ---------------------------------------------------------------------------
# schedules
# ---------------------------------------------------------------------------
SCHEDULE_CASES = [
    ("poly", "PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=10)),
    ("poly_cycle", "PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, end_learning_rate=0.01,
                                           power=2.0, cycle=True)),
    ("restarts", "CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=5)),
    ("restarts_constant_period", "CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=4,
                                                             t_mul=1.0, m_mul=0.7, alpha=0.05)),
    ("restarts_slow", "CosineDecayRestarts", dict(initial_learning_rate=1.0, first_decay_steps=3, t_mul=1.5,
                                                  m_mul=0.9, name="custom")),
]


def make_schedules():
    arrays, cases = {"steps": np.arange(41)}, {}
    for name, cls, kwargs in SCHEDULE_CASES:
        schedule = getattr(S, cls)(**kwargs)
        arrays[name] = np.asarray([float(schedule(step)) for step in range(41)], np.float32)
        cases[name] = {"class": cls, "kwargs": kwargs, "config": schedule.get_config(),
                       "serialized": S.serialize(schedule)}
    np.savez(os.path.join(OUT, "schedules.npz"), **arrays)
    C.write_json(os.path.join(OUT, "schedules.json"), {"cases": cases})


SECTIONS = {"losses": make_losses, "metrics": make_metrics, "compiled_metrics": make_compiled_metrics,
            "optimizers": make_optimizers, "schedules": make_schedules}

if __name__ == "__main__":
    import sys

    for section in sys.argv[1:] or SECTIONS:  # all sections, or the ones named
        SECTIONS[section]()
    print("wrote", OUT)
