"""Shared, Keras-free helpers for the reference-data generators.

Everything here is plain numpy so that Keras 3 and Keras 2 (tf-keras) runs
see bit-identical inputs, labels and initial training weights.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(REPO, "tests", "references")

F32 = np.float32


def out_dir(sub):
    path = os.path.join(OUT, sub)
    os.makedirs(path, exist_ok=True)
    return path


# ---------------------------------------------------------------------------
# Prediction-case inputs (identical for both Keras versions).
# ---------------------------------------------------------------------------
PRED_SEED = 20240601


def pred_inputs(case):
    """Return a list of input arrays for a prediction case."""
    rng = np.random.RandomState(PRED_SEED + sum(map(ord, case)))
    n = 4
    if case in ("mlp", "mlp_compiled"):
        return [rng.uniform(-1, 1, (n, 8)).astype(F32)]
    if case == "cnn":
        return [rng.uniform(-1, 1, (n, 8, 8, 3)).astype(F32)]
    if case == "rnn":
        return [rng.randint(0, 20, (n, 6)).astype(np.int32)]
    if case == "rnn2":
        return [rng.uniform(-1, 1, (n, 5, 4)).astype(F32)]
    if case == "multi_io":
        return [rng.uniform(-1, 1, (n, 6)).astype(F32),
                rng.uniform(-1, 1, (n, 3)).astype(F32)]
    if case == "nested":
        return [rng.uniform(-1, 1, (n, 5)).astype(F32)]
    if case == "conv1d_misc":
        return [rng.uniform(-1, 1, (n, 7, 4)).astype(F32)]
    if case == "conv2d_misc":
        return [rng.uniform(-1, 1, (n, 6, 6, 2)).astype(F32)]
    raise KeyError(case)


def mlp_compiled_train_data():
    rng = np.random.RandomState(77)
    x = rng.uniform(-1, 1, (20, 8)).astype(F32)
    y = np.eye(4, dtype=F32)[rng.randint(0, 4, 20)]
    return x, y


def bn_stats(channels, seed=5):
    """Nontrivial BatchNormalization weights: gamma, beta, mean, variance."""
    rng = np.random.RandomState(seed)
    gamma = rng.uniform(0.5, 1.5, channels).astype(F32)
    beta = rng.uniform(-0.5, 0.5, channels).astype(F32)
    mean = rng.uniform(-0.5, 0.5, channels).astype(F32)
    var = rng.uniform(0.5, 2.0, channels).astype(F32)
    return [gamma, beta, mean, var]


PRED_DESCRIPTIONS = {
    "mlp": "Sequential: Input(8) -> Dense(16, relu) -> Dropout(0.5) -> Dense(4, softmax). Not compiled.",
    "mlp_compiled": "Same architecture as mlp; compiled with SGD(learning_rate=0.01, momentum=0.9, nesterov=True), "
                    "loss='categorical_crossentropy', metrics=['accuracy']; trained 1 epoch (batch_size 8, shuffle=False) on "
                    "x_train/y_train (stored in the npz) so the h5 carries training_config and optimizer_weights. "
                    "y = predict(x) AFTER training.",
    "cnn": "Sequential: Input(8,8,3) -> Conv2D(4,(3,3),relu,valid) -> BatchNormalization (gamma/beta/moving_mean/moving_variance "
           "set to random nontrivial values, variance>0) -> MaxPooling2D((2,2)) -> Conv2D(6,(3,3),padding='same', linear) -> "
           "AveragePooling2D((2,2)) -> Flatten -> Dense(3, softmax). channels_last.",
    "rnn": "Sequential: Input((6,), int32 token ids in [0,20)) -> Embedding(20,5) -> LSTM(7, return_sequences=True) -> "
           "GRU(4, reset_after=True default) -> Dense(2, linear).",
    "rnn2": "Sequential: Input(5,4) float -> SimpleRNN(3, return_sequences=True) -> Bidirectional(LSTM(3), merge_mode='concat') "
            "-> Dense(2, linear).",
    "multi_io": "Functional: inputs main_input (6,), aux_input (3,). h = Dense(8, relu, name='shared_dense')(main_input); "
                "aux_output = Dense(2, softmax, name='aux_output')(h); c = Concatenate(name='concat')([h, aux_input]); "
                "c = Dense(4, relu, name='hidden')(c); main_output = Dense(1, sigmoid, name='main_output')(c). "
                "Model(inputs=[main_input, aux_input], outputs=[main_output, aux_output]). x0=main_input, x1=aux_input, "
                "y0=main_output, y1=aux_output.",
    "nested": "Inner Sequential named 'inner': Input(5) -> Dense(4, relu, name='inner_dense_1') -> Dense(3, name='inner_dense_2'). "
              "Outer functional named 'outer': Input(5, name='outer_input') -> inner -> Dense(2, name='outer_dense').",
    "conv1d_misc": "Sequential: Input(7,4) -> Conv1D(3, 2, padding='causal', relu) -> LayerNormalization(axis=-1) -> Flatten -> Dense(2).",
    "conv2d_misc": "Sequential: Input(6,6,2) -> SeparableConv2D(4,(3,3),padding='same',depth_multiplier=1) -> "
                   "DepthwiseConv2D((3,3), depth_multiplier=2, valid) -> Conv2DTranspose(3,(3,3),strides=(2,2),padding='valid') -> "
                   "GlobalAveragePooling2D -> Dense(2).",
}


# ---------------------------------------------------------------------------
# Training cases.
# ---------------------------------------------------------------------------
TRAIN_SEED = 1234
N_TRAIN = 50
BATCH = 16
EPOCHS = 3


def train_data(label):
    """x: (50, 6) float32 uniform [-1, 1); y depends on label kind."""
    rng = np.random.RandomState(TRAIN_SEED)
    x = rng.uniform(-1, 1, (N_TRAIN, 6)).astype(F32)
    cls = rng.randint(0, 3, N_TRAIN)
    if label == "onehot":
        y = np.eye(3, dtype=F32)[cls]
    elif label == "sparse":
        y = cls.astype(np.int32)
    elif label == "binary":
        y = (rng.uniform(0, 1, (N_TRAIN, 1)) > 0.5).astype(F32)
    elif label == "regression":
        y = rng.normal(0, 1, (N_TRAIN, 2)).astype(F32)
    else:
        raise KeyError(label)
    return x, y


def out_units(label):
    return {"onehot": 3, "sparse": 3, "binary": 1, "regression": 2}[label]


def out_activation(label):
    return {"onehot": "softmax", "sparse": "softmax", "binary": "sigmoid", "regression": "linear"}[label]


def init_weights(label):
    """Fixed initial weights [W1 (6,8), b1 (8,), W2 (8,k), b2 (k,)]."""
    rng = np.random.RandomState(TRAIN_SEED + 1)
    k = out_units(label)
    lim1 = np.sqrt(6.0 / (6 + 8))
    lim2 = np.sqrt(6.0 / (8 + k))
    return [rng.uniform(-lim1, lim1, (6, 8)).astype(F32),
            rng.uniform(-0.1, 0.1, (8,)).astype(F32),
            rng.uniform(-lim2, lim2, (8, k)).astype(F32),
            rng.uniform(-0.1, 0.1, (k,)).astype(F32)]


# Each: name -> dict(opt=(module, class, kwargs), loss, metrics, label, validation_split, versions)
# module: "optimizers" (keras.optimizers / tf_keras.optimizers) or "legacy" (tf_keras.optimizers.legacy).
TRAIN_CASES = [
    ("sgd", dict(opt=("optimizers", "SGD", dict(learning_rate=0.1)))),
    ("sgd_momentum_nesterov", dict(opt=("optimizers", "SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)))),
    ("sgd_legacy_decay", dict(opt=("legacy", "SGD", dict(learning_rate=0.05, decay=0.01, momentum=0.9)), versions=("keras2",))),
    ("adam", dict(opt=("optimizers", "Adam", dict(learning_rate=0.01)))),
    ("adam_amsgrad", dict(opt=("optimizers", "Adam", dict(learning_rate=0.01, amsgrad=True)))),
    ("rmsprop", dict(opt=("optimizers", "RMSprop", dict(learning_rate=0.01)))),
    ("rmsprop_centered_momentum", dict(opt=("optimizers", "RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)))),
    ("adagrad", dict(opt=("optimizers", "Adagrad", dict(learning_rate=0.1)))),
    ("adadelta", dict(opt=("optimizers", "Adadelta", dict(learning_rate=1.0)))),
    ("adamax", dict(opt=("optimizers", "Adamax", dict(learning_rate=0.01)))),
    ("nadam", dict(opt=("optimizers", "Nadam", dict(learning_rate=0.01)))),
    ("adamw", dict(opt=("optimizers", "AdamW", dict(learning_rate=0.01, weight_decay=0.05)))),
    ("binary_rmsprop", dict(opt=("optimizers", "RMSprop", dict(learning_rate=0.01)), loss="binary_crossentropy", label="binary")),
    ("sparse_adam", dict(opt=("optimizers", "Adam", dict(learning_rate=0.01)), loss="sparse_categorical_crossentropy", label="sparse")),
    ("mse_sgd", dict(opt=("optimizers", "SGD", dict(learning_rate=0.05)), loss="mse", label="regression", metrics=["mae"])),
    ("validation_split", dict(opt=("optimizers", "SGD", dict(learning_rate=0.1)), validation_split=0.2)),
    ("sgd_clipnorm", dict(opt=("optimizers", "SGD", dict(learning_rate=0.1, clipnorm=0.1)))),
]


def train_case(spec):
    d = dict(loss="categorical_crossentropy", metrics=["accuracy"], label="onehot",
             validation_split=0.0, versions=("keras3", "keras2"))
    d.update(spec)
    return d


def to_jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return repr(obj)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(to_jsonable(obj), f, indent=1, sort_keys=False)
        f.write("\n")


def layer_summary(model):
    """[(name, class_name, output_shape, [weight names and shapes])] for a built model."""
    rows = []
    for layer in model.layers:
        try:
            shape = layer.output.shape
            shape = [None if s is None else int(s) for s in shape]
        except Exception:  # noqa: BLE001
            shape = None
        rows.append({
            "name": layer.name,
            "class_name": type(layer).__name__,
            "output_shape": shape,
            "weights": [{"name": w.path if hasattr(w, "path") else w.name,
                         "shape": [int(s) for s in w.shape]} for w in layer.weights],
        })
    return rows
