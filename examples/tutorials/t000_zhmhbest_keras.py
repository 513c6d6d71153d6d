"""Tutorial 000 (zhmhbest, "Keras"): every code block, with `keras` replaced by `symk`.

Data is random (the tutorial leaves it to the reader); epochs are few so the script runs fast.
"""
import os
import tempfile

import numpy as np

import symk
from symk import backend as K
from symk.backend import concatenate
from symk.callbacks import Callback as keras_Callback
from symk.layers import (GRU, LSTM, Activation, AveragePooling2D, Conv2D, Dense, Dropout, Flatten,  # noqa: F401
                         MaxPooling2D, SimpleRNN)
from symk.layers.core import Lambda as keras_Lambda  # noqa: F401
from symk.engine.topology import Layer as keras_Layer
from symk.losses import binary_crossentropy as keras_loss_bce  # noqa: F401
from symk.losses import categorical_crossentropy as keras_loss_cce  # noqa: F401
from symk.losses import mean_absolute_error as keras_loss_mae  # noqa: F401
from symk.losses import mean_squared_error as keras_loss_mse
from symk.losses import sparse_categorical_crossentropy as keras_loss_sce  # noqa: F401
from symk.metrics import binary_accuracy, categorical_accuracy  # noqa: F401
from symk.models import Input, Model, Sequential, load_model, model_from_json
from symk.optimizers import adam as keras_optimizer_adam
from symk.optimizers import sgd as keras_optimizer_sgd  # noqa: F401

symk.utils.set_random_seed(0)

# -- 顺序模型 / 自定义模型 ---------------------------------------------------------------
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

# -- 混合模型 -----------------------------------------------------------------------------
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
assert next_shape == (20,)
model = Sequential()
model.add(Dense(2, input_shape=next_shape))
model.add(Activation('relu'))
model.add(Dense(1))
print(model.input.shape, model.output.shape)

# -- 编译 / 训练 -------------------------------------------------------------------------
x_train = np.random.random((64, 2)).astype('float32')
y_train = (x_train.sum(1, keepdims=True) > 1).astype('float32')
x_test, y_test = x_train[:16], y_train[:16]
model = model1
model.compile(loss=keras_loss_mse, optimizer=keras_optimizer_adam(lr=0.01), metrics=[])


class MyCallback(keras_Callback):
    def on_epoch_begin(self, epoch, logs=None):
        print('epoch =', epoch)


model.fit(x_train, y_train, batch_size=32, epochs=3, verbose=0, callbacks=[MyCallback()])
x_batch, y_batch = x_train[:32], y_train[:32]
for step in range(20):
    loss_val = model.train_on_batch(x_batch, y_batch)
    if 0 == step % 10:
        print('loss:', loss_val)

# -- 保存模型 -----------------------------------------------------------------------------
dump = tempfile.mkdtemp()
model.save(os.path.join(dump, "model.h5"))
model = load_model(os.path.join(dump, "model.h5"))
model.summary()
with open(os.path.join(dump, "struct.json"), "w") as fp:
    fp.write(model.to_json())
with open(os.path.join(dump, "struct.json"), "r") as fp:
    model = model_from_json(fp.read())
model.compile(loss=keras_loss_mse, optimizer=keras_optimizer_adam(lr=0.01))
model1.save_weights(os.path.join(dump, "model_weights.h5"))
model.load_weights(os.path.join(dump, "model_weights.h5"))

# -- 评估 / 预测 --------------------------------------------------------------------------
score = model.evaluate(x_test, y_test, batch_size=32, verbose=0)
print("score[loss, ...] =", score)
y_pred = model.predict(x_test)
print(y_test[:10])
print(y_pred[:10])

# -- Backend -------------------------------------------------------------------------------
features, time_step = 5, 3
inputs = K.placeholder(shape=(None, features))
inputs = K.placeholder(shape=(None, time_step, features))
variable_shape = (3, 4, 5)
var0 = K.zeros(shape=variable_shape)
var1 = K.ones(shape=variable_shape)
var2 = K.variable(value=np.random.random(size=variable_shape))
var3 = K.random_uniform_variable(shape=variable_shape, low=0, high=1)
var4 = K.random_normal_variable(shape=variable_shape, mean=0, scale=1)
val0 = K.constant(value=0)


class SimpleDense(keras_Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        from symk import constraints, initializers, regularizers  # noqa: F401
        assert len(input_shape) >= 2
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(name='kernel', shape=(input_dim, self.units),
                                      initializer=initializers.get('glorot_uniform'))
        self.bias = self.add_weight(name='bias', shape=(self.units,), initializer=initializers.get('zeros'))
        super().build(input_shape)

    def call(self, inputs, **kwargs):
        return K.bias_add(K.dot(inputs, self.kernel), self.bias)

    def compute_output_shape(self, input_shape):
        assert input_shape and len(input_shape) >= 2
        assert input_shape[-1]
        output_shape = list(input_shape)
        output_shape[-1] = self.units
        return tuple(output_shape)


x = K.placeholder(shape=(None, 2))
y = SimpleDense(units=3)(x)
print(y.shape)
assert tuple(y.shape) == (None, 3)
