"""Tutorial 003 (keras高级API, tf.keras): the Keras code blocks with `tensorflow.keras` replaced by `symk`.

`tf.random.normal` becomes numpy; `tf.data` datasets become plain lists of (x, y) batches;
`tf.saved_model` is TensorFlow-only and left out.
"""
import os
import tempfile

import numpy as np

import symk as keras
from symk import Sequential, layers, losses, optimizers

keras.utils.set_random_seed(0)

network = Sequential([
    layers.Dense(3, activation=None),
    layers.ReLU(),
    layers.Dense(2, activation=None),
    layers.ReLU(),
])
x = np.random.normal(size=(4, 3)).astype("float32")
out = network(x)
assert out.shape == (4, 2)

layers_num = 2
network = Sequential([])
for _ in range(layers_num):
    network.add(layers.Dense(3))
    network.add(layers.ReLU())
network.build(input_shape=(4, 4))
network.summary()
for p in network.trainable_variables:
    print(p.name, p.shape)
assert [tuple(p.shape) for p in network.trainable_variables] == [(4, 3), (3,), (3, 3), (3,)]

# 模型装配 / 训练: a 10-class problem on random data, batches as an iterable
network = Sequential([layers.Dense(32, activation='relu'), layers.Dense(10)])
network.compile(optimizer=optimizers.Adam(lr=0.01),
                loss=losses.CategoricalCrossentropy(from_logits=True),
                metrics=['accuracy'])
xs = np.random.random((96, 8)).astype("float32")
ys = keras.utils.to_categorical(np.random.randint(10, size=96), 10)
train_db = [(xs[i:i + 32], ys[i:i + 32]) for i in range(0, 64, 32)]
val_db = [(xs[64:96], ys[64:96])]
history = network.fit(train_db, epochs=5, validation_data=val_db, validation_freq=2)
print(history.history)
assert len(history.history["loss"]) == 5 and len(history.history["val_loss"]) == 2

x, y = next(iter(val_db))
pred = network.predict(x)
print(np.argmax(y, axis=1), np.argmax(pred, axis=1))
network.evaluate(val_db)

# 模型的保存与加载
ckpt = os.path.join(tempfile.mkdtemp(), "checkpoints")
os.makedirs(ckpt)
network.save_weights(os.path.join(ckpt, "my_checkpoint.weights.h5"))
model = Sequential([layers.Dense(32, activation='relu'), layers.Dense(10)])
model.compile(optimizer=optimizers.Adam(lr=0.01), loss=losses.CategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
model.build(input_shape=(None, 8))
model.load_weights(os.path.join(ckpt, "my_checkpoint.weights.h5"))
np.testing.assert_allclose(model.predict(x), pred, rtol=1e-5, atol=1e-6)
model.save(os.path.join(ckpt, "model.h5"))
model = keras.models.load_model(os.path.join(ckpt, "model.h5"))
np.testing.assert_allclose(model.predict(x), pred, rtol=1e-5, atol=1e-6)


# 自定义网络
class MyDense(layers.Layer):
    def __init__(self, input_dim, output_dim):
        super(MyDense, self).__init__()
        self.kernel = self.add_weight('w', [input_dim, output_dim])

    def call(self, inputs, training=None):
        x = inputs @ self.kernel
        return x


class MyNetwork(keras.Model):
    def __init__(self):
        super(MyNetwork, self).__init__()
        self.fc1 = MyDense(32 * 32 * 3, 256)
        self.fc2 = MyDense(256, 128)
        self.fc3 = MyDense(128, 64)
        self.fc4 = MyDense(64, 32)
        self.fc5 = MyDense(32, 10)

    def call(self, inputs, training=None):
        x = keras.ops.reshape(inputs, [-1, 32 * 32 * 3])
        x = self.fc1(x)
        x = keras.ops.relu(x)
        x = self.fc2(x)
        x = keras.ops.relu(x)
        x = self.fc3(x)
        x = keras.ops.relu(x)
        x = self.fc4(x)
        x = keras.ops.relu(x)
        x = self.fc5(x)
        return x


net = MyNetwork()
images = np.random.random((8, 32, 32, 3)).astype("float32")
assert net(images).shape == (8, 10)
net.compile(optimizer=optimizers.Adam(lr=0.001), loss=losses.CategoricalCrossentropy(from_logits=True),
            metrics=['accuracy'])
net.fit(images, keras.utils.to_categorical(np.arange(8) % 10, 10), epochs=2, verbose=0)
assert len(net.trainable_variables) == 5
