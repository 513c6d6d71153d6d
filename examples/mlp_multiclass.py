"""Multi-class softmax classification with an MLP (the Keras guide's first Sequential example), on separable data.

    SYMK_EXAMPLE_QUICK=1 python examples/mlp_multiclass.py     # fewer epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk.layers import Dense, Dropout
from symk.optimizers import SGD

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)

# 10 classes, each a Gaussian blob around its own centre in 20 dimensions: learnable, unlike random labels
rng = np.random.default_rng(0)
centres = rng.normal(size=(10, 20)) * 2


def blobs(n):
    labels = rng.integers(0, 10, n)
    return (centres[labels] + rng.normal(size=(n, 20))).astype("float32"), keras.utils.to_categorical(labels, 10)


(x_train, y_train), (x_test, y_test) = blobs(2000), blobs(500)

model = keras.Sequential([
    keras.Input(shape=(20,)),
    Dense(64, activation="relu"),
    Dropout(0.5),
    Dense(64, activation="relu"),
    Dropout(0.5),
    Dense(10, activation="softmax"),
])
# Keras 2 spellings work: `lr=` and `decay=` are accepted and mapped to Keras 3's learning-rate schedule
model.compile(loss="categorical_crossentropy", optimizer=SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True),
              metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, epochs=3 if QUICK else 20, batch_size=128, validation_split=0.2, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
