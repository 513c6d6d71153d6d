"""The tutorial programs (seed 000's non-training blocks) run with symk and print the right shapes."""
import contextlib
import io

import numpy as np


def run_program(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<tutorial>", "exec"), {"__name__": "__main__", "np": np})
    return out.getvalue()


# examples/quickstart.py and every other example script run in tests/test_examples_scripts.py


COMBINED_MODEL = """
from symk.backend import concatenate
from symk.models import Sequential
from symk.layers import Dense, Activation

INPUT_SHAPE_A = (32,)
INPUT_SHAPE_B = (128,)

partA = Sequential()
partA.add(Dense(8, input_shape=INPUT_SHAPE_A))
partA.add(Activation('relu'))
partA.add(Dense(4))
print(partA.input.shape, partA.output.shape)

partB = Sequential()
partB.add(Dense(32, input_shape=INPUT_SHAPE_B))
partB.add(Activation('relu'))
partB.add(Dense(16))
print(partB.input.shape, partB.output.shape)

combined = concatenate([partA.output, partB.output])
next_shape = (lambda x: (x.pop(0), tuple(x)))(combined.shape.as_list())[1]
print(combined.shape, next_shape)

model = Sequential()
model.add(Dense(2, input_shape=next_shape))
model.add(Activation('relu'))
model.add(Dense(1))
print(model.input.shape, model.output.shape)
"""


def test_combined_model_block_prints_keras_shapes():
    lines = run_program(COMBINED_MODEL).splitlines()
    assert lines == ["(None, 32) (None, 4)", "(None, 128) (None, 16)", "(None, 20) (20,)", "(None, 20) (None, 1)"]


SIMPLE_DENSE = """
from symk import backend as K
from symk.layers.core import Lambda as keras_Lambda
from symk.layers import Layer as keras_Layer


class SimpleDense(keras_Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        from symk import initializers, regularizers, constraints
        assert len(input_shape) >= 2
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(
            name='kernel',
            shape=(input_dim, self.units),
            initializer=initializers.get('glorot_uniform')
        )
        self.bias = self.add_weight(
            name='bias',
            shape=(self.units,),
            initializer=initializers.get('zeros')
        )
        super().build(input_shape)

    def call(self, inputs, **kwargs):
        return K.bias_add(
            K.dot(inputs, self.kernel),
            self.bias
        )

    def compute_output_shape(self, input_shape):
        assert input_shape and len(input_shape) >= 2
        assert input_shape[-1]
        output_shape = list(input_shape)
        output_shape[-1] = self.units
        return tuple(output_shape)


if __name__ == '__main__':
    x = K.placeholder(shape=(None, 2))
    layer = SimpleDense(units=3)
    y = layer(x)
    print(y.shape)
    print(layer.compute_output_shape(x.shape))
    print(K.function([x], [y])([np.ones((4, 2))])[0].shape)
"""


def test_simple_dense_block_prints_the_output_shape():
    assert run_program(SIMPLE_DENSE).splitlines() == ["(None, 3)", "(None, 3)", "(4, 3)"]


BACKEND_BLOCK = """
from symk import backend as K
features, time_step = 5, 7
inputs = K.placeholder(shape=(None, features))
print(inputs.shape)
inputs = K.placeholder(shape=(None, time_step, features))
print(inputs.shape)

variable_shape = (3, 4, 5)
var0 = K.zeros(shape=variable_shape)
var1 = K.ones(shape=variable_shape)
var2 = K.variable(value=np.random.random(size=variable_shape))
var3 = K.random_uniform_variable(shape=variable_shape, low=0, high=1)
var4 = K.random_normal_variable(shape=variable_shape, mean=0, scale=1)
val0 = K.constant(value=0)
for v in (var0, var1, var2, var3, var4):
    print(K.int_shape(v), K.dtype(v))
print(K.eval(val0), float(K.eval(var1).sum()), bool((K.eval(var3) < 1).all()))
"""


def test_placeholder_and_variables_block():
    lines = run_program(BACKEND_BLOCK).splitlines()
    assert lines[:2] == ["(None, 5)", "(None, 7, 5)"]
    assert lines[2:7] == ["(3, 4, 5) float32"] * 5
    assert lines[7] == "0.0 60.0 True"


HELLO_MODELS = """
from symk.models import Sequential
from symk.models import Input, Model
from symk.layers import Dense, Activation

INPUT_SHAPE = (2,)
model1 = Sequential()
model1.add(Dense(4, input_shape=INPUT_SHAPE))
model1.add(Activation('relu'))
model1.add(Dense(1))

inputs = Input(shape=INPUT_SHAPE)
x = inputs
x = Dense(4)(x)
x = Activation('relu')(x)
x = Dense(1)(x)
y = x
model2 = Model(inputs=inputs, outputs=y)
print(model1.output_shape, model2.output_shape, model1.count_params(), model2.count_params())
"""


def test_sequential_and_functional_hello_models():
    assert run_program(HELLO_MODELS).strip() == "(None, 1) (None, 1) 17 17"


def test_keras_namespaces_exist_for_a_one_import_switch():
    import symk as keras

    for name in ("Input", "Model", "Sequential"):
        assert hasattr(keras, name), name
    for module in ("layers", "models", "ops", "backend", "optimizers", "losses", "metrics", "callbacks", "utils",
                   "initializers", "regularizers", "constraints", "activations"):
        assert hasattr(keras, module), module
    from symk.layers import Activation, Dense, Dropout, Flatten, concatenate  # noqa: F401
    from symk.models import Input, Model, Sequential  # noqa: F401
