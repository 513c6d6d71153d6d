"""Subclassed models traced on first call (the MyDense/MyNetwork tutorial, with symk.ops.reshape for tf.reshape)."""
import numpy as np

import symk as keras
from symk import layers, ops

RNG = np.random.default_rng(5)


class MyDense(layers.Layer):
    def __init__(self, input_dim, output_dim):
        super(MyDense, self).__init__()
        self.kernel = self.add_weight("w", [input_dim, output_dim])

    def call(self, inputs, training=None):
        return inputs @ self.kernel


class MyNetwork(keras.Model):
    def __init__(self):
        super(MyNetwork, self).__init__()
        self.fc1 = MyDense(4 * 4 * 3, 16)
        self.fc2 = MyDense(16, 8)
        self.fc3 = MyDense(8, 10)

    def call(self, inputs, training=None):
        x = ops.reshape(inputs, [-1, 4 * 4 * 3])
        x = ops.relu(self.fc1(x))
        x = ops.relu(self.fc2(x))
        return self.fc3(x)


def reference(net, images):
    k1, k2, k3 = (layer.kernel.numpy() for layer in (net.fc1, net.fc2, net.fc3))
    x = images.reshape(-1, 48)
    return np.maximum(np.maximum(x @ k1, 0) @ k2, 0) @ k3


def test_subclassed_model_is_traced_on_first_call_and_matches_numpy():
    net = MyNetwork()
    assert net._graph is None
    images = RNG.normal(size=(6, 4, 4, 3)).astype("float32")
    out = net(images)
    assert net._graph is not None and out.shape == (6, 10)
    np.testing.assert_allclose(out, reference(net, images), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(net.predict(images, batch_size=4), reference(net, images), rtol=1e-4, atol=1e-5)


def test_subclassed_model_weights_layers_and_params():
    net = MyNetwork()
    assert [l.name for l in net.layers] == ["my_dense", "my_dense_1", "my_dense_2"]
    assert [w.path for w in net.weights] == ["my_dense/w", "my_dense_1/w", "my_dense_2/w"]
    assert net.count_params() == 48 * 16 + 16 * 8 + 8 * 10
    net.build((None, 4, 4, 3))
    assert tuple(net.outputs[0].shape) == (None, 10)
    assert {"reshape", "matmul", "relu"} <= {d["op"] for _, d in net.graph.nx.nodes(data=True)}


def test_subclassed_model_called_on_symbolic_inputs_inside_a_functional_model():
    net = MyNetwork()
    inputs = keras.Input(shape=(4, 4, 3))
    outputs = layers.Activation("softmax")(net(inputs))
    assert tuple(outputs.shape) == (None, 10)
    model = keras.Model(inputs, outputs)
    images = RNG.normal(size=(3, 4, 4, 3)).astype("float32")
    logits = reference(net, images)
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict(images), e / e.sum(1, keepdims=True), rtol=1e-4, atol=1e-6)
