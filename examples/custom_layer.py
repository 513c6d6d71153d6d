"""A custom Layer subclass (Keras guide style): build() makes the weights, call() composes symk ops, get_config()
makes it saveable — then property-tested with symk.testing.check_layer and trained inside a model.

    SYMK_EXAMPLE_QUICK=1 python examples/custom_layer.py     # fewer epochs, for CI
"""
import os
import tempfile

import numpy as np

import symk as keras
from symk import ops

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)


@keras.saving.register_keras_serializable(package="examples")
class ScaledDense(keras.layers.Layer):
    """Dense with a learnt per-unit output scale: y = scale * (x @ kernel + bias), then the activation."""

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        # input_shape[-1] is known here even when the batch is not: weights never depend on the batch
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones")

    def call(self, inputs):
        # ordinary code over symbolic tensors: each ops.* call adds an op node (scoped 'scaled_dense/...')
        return self.activation(self.scale * (ops.matmul(inputs, self.kernel) + self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.activations.serialize(self.activation)}


# 1. property tests: shapes (declared, traced, computed), eager == compiled, config, gradients, save/load
try:
    from symk import testing as symk_testing  # needs hypothesis (pip install 'symk[test]')
except ImportError:
    symk_testing = None
if symk_testing is not None and hasattr(symk_testing, "check_layer"):
    from hypothesis import strategies as st

    symk_testing.check_layer(ScaledDense, input_shapes=(None, 3),
                             configs=symk_testing.layer_configs(units=st.integers(1, 4),
                                                                activation=st.sampled_from([None, "relu"])),
                             max_examples=2 if QUICK else 6)
    print("check_layer(ScaledDense): all properties hold")
else:
    print("check_layer skipped: this symk has no symk.testing.check_layer (or hypothesis is not installed)")

# 2. use it: a regression y = 3 * x0 - 2 * x1 + 1
rng = np.random.default_rng(0)
x = rng.normal(size=(1024, 2)).astype("float32")
y = (3 * x[:, :1] - 2 * x[:, 1:] + 1).astype("float32")
model = keras.Sequential([keras.Input(shape=(2,)), ScaledDense(16, activation="relu"), ScaledDense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
model.fit(x, y, epochs=5 if QUICK else 40, batch_size=64, verbose=0)
mse = model.evaluate(x, y, verbose=0)

# 3. save and load: the registered class is found by name, no custom_objects needed
path = os.path.join(tempfile.mkdtemp(), "scaled.keras")
model.save(path)
reloaded = keras.models.load_model(path)
print("reloaded predictions equal:", bool(np.allclose(reloaded.predict(x[:8], verbose=0),
                                                      model.predict(x[:8], verbose=0), atol=1e-6)))
print(f"training mse: {mse:.4f}")
