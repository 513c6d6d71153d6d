"""Binary classification with an MLP (sigmoid output, binary cross-entropy), on two interleaved moons made with numpy.

    SYMK_EXAMPLE_QUICK=1 python examples/mlp_binary.py     # fewer epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk.layers import Dense, Dropout

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def moons(n):
    """Two half circles, one shifted into the other's gap: not linearly separable, easy for two hidden layers."""
    labels = rng.integers(0, 2, n)
    angle = rng.uniform(0, np.pi, n)
    x = np.stack([np.cos(angle) + labels * 1.0, np.sin(angle) * (1 - 2 * labels) + labels * 0.5], axis=1)
    return (x + rng.normal(scale=0.1, size=x.shape)).astype("float32"), labels.astype("float32")[:, None]


(x_train, y_train), (x_test, y_test) = moons(2000), moons(500)

model = keras.Sequential([
    keras.Input(shape=(2,)),
    Dense(64, activation="relu"),
    Dropout(0.2),
    Dense(64, activation="relu"),
    Dense(1, activation="sigmoid"),
])
model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3 if QUICK else 30, batch_size=64, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
