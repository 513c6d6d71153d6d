"""Keras-written `.keras` archives (and one compiled `.h5`) for symk's tests: tests/references/keras3/archives/.

    KERAS_BACKEND=jax /tmp/kerasref/bin/python tools/keras_refs/make_keras_archives.py

For every case it writes <case>.keras and <case>.npz (inputs x / x0.., Keras's predictions y / y0..);
compiled cases add x_train / y_train, `iterations`, and what Keras computed after training one more
epoch on them (batch_size=8, shuffle=False): `y_after` and `iterations_after`. cases.json lists the
cases with the registered names their custom objects use (tests define the same objects in symk);
serialized.json holds keras.saving.serialize_keras_object of one object of each family.
Weights are set from a fixed numpy generator, so the archives hold non-trivial values. Never imports symk.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

from common import OUT  # noqa: E402

DEST = os.path.join(OUT, "keras3", "archives")
F32 = np.float32
L = keras.layers


# -- custom objects (tests/test_save_keras_archive_refs.py defines the same ones in symk) ----------------
@keras.saving.register_keras_serializable(package="SymkRefs")
def scaled_tanh(x):
    return keras.ops.tanh(x) * 2.0


@keras.saving.register_keras_serializable(package="SymkRefs")
def half_mse(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1) * 0.5


@keras.saving.register_keras_serializable(package="SymkRefs")
class ScaledDense(L.Layer):
    def __init__(self, units=2, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, x):
        return (keras.ops.matmul(x, self.w) + self.b) * self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


@keras.saving.register_keras_serializable(package="SymkRefs")
class TwoTower(keras.Model):
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


# -- the cases: name -> (model, input shapes, compile arguments or None) -------------------------------
def sequential_mlp():
    return keras.Sequential([L.Input((8,)), L.Dense(16, activation="relu"), L.Dropout(0.3),
                             L.Dense(4, activation="softmax")], name="sequential_mlp"), [(8,)]


def functional_multi_io():
    a, b = L.Input((6,), name="in_a"), L.Input((5,), name="in_b")
    shared = L.Dense(4, activation="tanh", name="shared")
    ha, hb = shared(a), shared(L.Dense(6, name="adapt")(b))
    joined = L.Concatenate(name="concat")([ha, hb, L.Subtract(name="diff")([ha, hb])])
    out1 = L.Dense(2, activation="softmax", name="probs")(joined)
    out2 = L.Dense(1, name="score")(L.Add(name="sum")([ha, hb]))
    return keras.Model([a, b], [out1, out2], name="functional_multi_io"), [(6,), (5,)]


def nested_models():
    inner_seq = keras.Sequential([L.Input((5,)), L.Dense(4, activation="relu"), L.Dense(3)], name="inner_seq")
    x = L.Input((3,), name="inner_in")
    inner_fn = keras.Model(x, L.Dense(2, name="inner_out")(L.LayerNormalization()(x)), name="inner_fn")
    outer_in = L.Input((5,), name="outer_in")
    out = L.Dense(2, name="outer_out")(inner_fn(inner_seq(outer_in)))
    return keras.Model(outer_in, out, name="nested_models"), [(5,)]


def custom_registered():
    x = L.Input((4,), name="x")
    h = L.Dense(5, activation=scaled_tanh, name="dense_custom_act")(x)
    out = ScaledDense(3, scale=0.5, name="scaled")(h)
    return keras.Model(x, out, name="custom_registered"), [(4,)]


def rnn_stack():
    return keras.Sequential([L.Input((7,), dtype="int32"), L.Embedding(30, 6), L.LSTM(5, return_sequences=True),
                             L.Bidirectional(L.GRU(3, return_sequences=True)), L.TimeDistributed(L.Dense(2)),
                             L.SimpleRNN(4)], name="rnn_stack"), [("int", 30, (7,))]


def cnn_batchnorm():
    return keras.Sequential([L.Input((10, 10, 3)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(),
                             L.MaxPooling2D(2), L.Conv2D(6, 2, padding="same"), L.BatchNormalization(),
                             L.GlobalAveragePooling2D(), L.Dense(3)], name="cnn_batchnorm"), [(10, 10, 3)]


def subclassed_model():
    model = TwoTower(3, name="two_tower")
    model(np.zeros((1, 4), F32))
    return model, [(4,)]


def compiled_adam():
    model = keras.Sequential([L.Input((6,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")],
                             name="compiled_adam")
    return model, [(6,)], dict(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                               metrics=["accuracy"])


def compiled_objects():
    model = keras.Sequential([L.Input((6,)), L.Dense(5, activation="relu"), L.Dense(2)], name="compiled_objects")
    return model, [(6,)], dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                               loss=keras.losses.MeanSquaredError(), metrics=[keras.metrics.MeanAbsoluteError()])


def compiled_custom_loss():
    model = keras.Sequential([L.Input((6,)), L.Dense(4, activation="relu"), L.Dense(2)], name="compiled_custom_loss")
    return model, [(6,)], dict(optimizer=keras.optimizers.RMSprop(0.01), loss=half_mse, metrics=[half_mse, "mae"])


def lambda_bytecode():
    return keras.Sequential([L.Input((3,)), L.Lambda(lambda t: t * 2.0 + 1.0), L.Dense(2)],
                            name="lambda_bytecode"), [(3,)]


CASES = [sequential_mlp, functional_multi_io, nested_models, custom_registered, rnn_stack, cnn_batchnorm,
         subclassed_model, compiled_adam, compiled_objects, compiled_custom_loss, lambda_bytecode]
CUSTOM = {"custom_registered": ["SymkRefs>scaled_tanh", "SymkRefs>ScaledDense"],
          "subclassed_model": ["SymkRefs>TwoTower"], "compiled_custom_loss": ["SymkRefs>half_mse"]}
H5_TOO = ("compiled_objects",)  # the same model as a legacy .h5: a training_config with serialized objects


def _rng(name):
    return np.random.RandomState(4321 + sum(map(ord, name)))


def _inputs(specs, rng, n=4):
    out = []
    for spec in specs:
        if spec and spec[0] == "int":
            out.append(rng.randint(0, spec[1], (n,) + spec[2]).astype(np.int32))
        else:
            out.append(rng.uniform(-1, 1, (n,) + tuple(spec)).astype(F32))
    return out


def _randomize(model, rng):
    for var in model.weights:
        value = rng.uniform(-0.6, 0.6, tuple(var.shape)).astype(var.dtype)
        if "variance" in var.path:
            value = np.abs(value) + 0.5
        var.assign(value)


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _arrays(prefix, values):
    return {prefix: values[0]} if len(values) == 1 else {f"{prefix}{i}": v for i, v in enumerate(values)}


def write_case(fn):
    keras.utils.set_random_seed(7)
    made = fn()
    model, specs, compile_args = (made + (None,))[:3]
    rng = _rng(fn.__name__)
    _randomize(model, rng)
    xs = _inputs(specs, rng)
    arrays = {}
    if compile_args:
        model.compile(**compile_args)
        x_train = rng.uniform(-1, 1, (24, 6)).astype(F32)
        width = model.outputs[0].shape[-1]
        y_train = (np.eye(width, dtype=F32)[rng.randint(0, width, 24)] if width == 3
                   else rng.uniform(-1, 1, (24, width)).astype(F32))
        model.fit(x_train, y_train, batch_size=8, epochs=1, shuffle=False, verbose=0)  # 3 steps: slots exist
        arrays.update(x_train=x_train, y_train=y_train,
                      iterations=np.asarray(int(np.asarray(model.optimizer.iterations))))
    arrays.update(_arrays("x", xs))
    arrays.update(_arrays("y", _predict(model, xs)))
    path = os.path.join(DEST, fn.__name__)
    model.save(path + ".keras")
    if fn.__name__ in H5_TOO:
        model.save(path + ".h5")
    if compile_args:  # what resuming gives in Keras: one more epoch from the saved state
        resumed = keras.models.load_model(path + ".keras")
        resumed.fit(x_train, y_train, batch_size=8, epochs=1, shuffle=False, verbose=0)
        arrays.update(y_after=_predict(resumed, xs)[0],
                      iterations_after=np.asarray(int(np.asarray(resumed.optimizer.iterations))))
    np.savez(path + ".npz", **arrays)
    return {"case": fn.__name__, "files": [fn.__name__ + ".keras", fn.__name__ + ".npz"]
            + ([fn.__name__ + ".h5"] if fn.__name__ in H5_TOO else []),
            "compiled": bool(compile_args), "custom_objects": CUSTOM.get(fn.__name__, [])}


def serialized_forms():
    """What keras.saving.serialize_keras_object gives for one object of each family (serialized.json)."""
    objects = {"dense": L.Dense(3, activation="relu", name="dense_ref"), "relu": keras.activations.relu,
               "registered_function": scaled_tanh, "registered_layer": ScaledDense(2, name="scaled_ref"),
               "loss": keras.losses.MeanSquaredError(), "loss_function": keras.losses.mean_squared_error,
               "metric": keras.metrics.AUC(name="auc_ref"), "optimizer": keras.optimizers.Adam(0.01),
               "schedule": keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
               "initializer": keras.initializers.GlorotUniform(seed=1), "regularizer": keras.regularizers.L2(0.1),
               "constraint": keras.constraints.MaxNorm(2.0), "array": np.arange(3, dtype="float32"),
               "bytes": b"abc", "nested": {"a": (1, 2), "b": [None, "x"]}}
    return {name: keras.saving.serialize_keras_object(obj) for name, obj in objects.items()}


def main():
    os.makedirs(DEST, exist_ok=True)
    with open(os.path.join(DEST, "serialized.json"), "w") as f:
        json.dump(serialized_forms(), f, indent=1)
    cases = [write_case(fn) for fn in CASES]
    with open(os.path.join(DEST, "cases.json"), "w") as f:
        json.dump({"writer": f"keras {keras.__version__} ({keras.backend.backend()})", "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {DEST}")


if __name__ == "__main__":
    main()
