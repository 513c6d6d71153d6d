"""The benchmark workloads, each defined once: its data, batch size, loss, and its model written
against the Keras API, so the same function builds it in symk (`build(symk)`) and in Keras 3
(`build(keras)`). The hand-written jax.jit + optax versions are in workloads_jax.py.

Imports numpy only: this file also runs inside the Keras venv.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Workload:
    name: str
    batch: int
    train_batches: int          # batches per epoch (quick mode: fewer)
    predict_batches: int
    loss: str                   # "categorical" (softmax output, one-hot y) or "binary" (sigmoid output)
    make_data: Callable         # (n, rng) -> (x, y)
    build: Callable             # (keras-like module) -> model
    quick_batches: int = 4

    def data(self, quick: bool, predict: bool = False):
        batches = self.predict_batches if predict else (self.quick_batches if quick else self.train_batches)
        return self.make_data(batches * self.batch, np.random.default_rng(1 if predict else 0))


def _one_hot(rng, n, classes=10):
    return np.eye(classes, dtype="float32")[rng.integers(0, classes, n)]


def _images(shape):
    return lambda n, rng: (rng.normal(size=(n,) + shape).astype("float32"), _one_hot(rng, n))


def _tokens(vocab, steps, classes):
    def make(n, rng):
        x = rng.integers(0, vocab, size=(n, steps)).astype("int32")
        y = rng.integers(0, 2, size=(n, 1)).astype("float32") if classes == 1 else _one_hot(rng, n, classes)
        return x, y
    return make


# -- the models, written once against the Keras API ---------------------------------------------
def mlp(K):
    L = K.layers
    return K.Sequential([K.Input((20,)), L.Dense(64, activation="relu"), L.Dropout(0.5),
                         L.Dense(64, activation="relu"), L.Dropout(0.5), L.Dense(10, activation="softmax")])


def wide(K):
    L = K.layers
    return K.Sequential([K.Input((784,)), L.Dense(1000, activation="relu"), L.Dense(10, activation="softmax")])


def cnn(K):
    """The Keras tutorial MNIST CNN."""
    L = K.layers
    return K.Sequential([K.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
                         L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
                         L.Dropout(0.5), L.Dense(10, activation="softmax")])


def lstm(K):
    L = K.layers
    return K.Sequential([K.Input((100,), dtype="int32"), L.Embedding(10000, 64), L.LSTM(32),
                         L.Dense(1, activation="sigmoid")])


TRANSFORMER = dict(vocab=1000, steps=32, dim=64, heads=4, ff=128, blocks=2)


def transformer(K):
    """A two-block post-norm encoder (MultiHeadAttention + feed-forward, residuals, LayerNorm)."""
    L, c = K.layers, TRANSFORMER
    tokens = K.Input((c["steps"],), dtype="int32")
    x = L.Embedding(c["vocab"], c["dim"])(tokens)
    for _ in range(c["blocks"]):
        attended = L.MultiHeadAttention(c["heads"], c["dim"] // c["heads"])(x, x)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attended]))
        hidden = L.Dense(c["ff"], activation="relu")(x)
        x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, L.Dense(c["dim"])(hidden)]))
    x = L.GlobalAveragePooling1D()(x)
    return K.Model(tokens, L.Dense(10, activation="softmax")(x))


BN_CNN_FILTERS = (16, 32, 32)


def bn_cnn(K):
    """Conv-BN-ReLU blocks (the model the inference passes fold)."""
    L = K.layers
    layers = [K.Input((32, 32, 3))]
    for i, filters in enumerate(BN_CNN_FILTERS):
        layers += [L.Conv2D(filters, 3, padding="same", use_bias=False), L.BatchNormalization(), L.ReLU()]
        if i < len(BN_CNN_FILTERS) - 1:
            layers.append(L.MaxPooling2D(2))
    layers += [L.GlobalAveragePooling2D(), L.Dense(10, activation="softmax")]
    return K.Sequential(layers)


def resnet(K):
    from importlib import import_module

    applications = import_module(K.__name__ + ".applications")
    if not hasattr(applications, "ResNet50"):
        raise NotImplementedError(f"{K.__name__}.applications has no ResNet50 yet")
    return applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10)


WORKLOADS = {w.name: w for w in [
    # batches per epoch: enough that a timed epoch lasts a few tenths of a second on a 2-core CPU (noise)
    Workload("mlp", 128, 200, 200, "categorical", lambda n, rng: (rng.normal(size=(n, 20)).astype("float32"),
                                                                  _one_hot(rng, n)), mlp, quick_batches=10),
    Workload("wide", 128, 60, 60, "categorical", _images((784,)), wide, quick_batches=8),
    Workload("cnn", 128, 8, 8, "categorical", _images((28, 28, 1)), cnn, quick_batches=3),
    Workload("lstm", 128, 12, 12, "binary", _tokens(10000, 100, 1), lstm, quick_batches=3),
    Workload("transformer", 64, 32, 32, "categorical", _tokens(TRANSFORMER["vocab"], TRANSFORMER["steps"], 10),
             transformer, quick_batches=4),
    Workload("bn_cnn", 64, 10, 10, "categorical", _images((32, 32, 3)), bn_cnn, quick_batches=3),
    Workload("resnet", 16, 4, 4, "categorical", _images((64, 64, 3)), resnet, quick_batches=2),
]}
