"""A VGG-like convnet (the Keras guide's Sequential example): two conv blocks, then dense layers, 10 classes.

The data are 32x32 RGB images of ten kinds of stripes (the class fixes the stripes' angle), made with numpy.

    SYMK_EXAMPLE_QUICK=1 python examples/vgg_like_cnn.py     # fewer images and epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from symk.optimizers import SGD

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def stripes(n):
    labels = rng.integers(0, 10, n)
    angle = labels * np.pi / 10
    rows, cols = np.meshgrid(np.arange(32), np.arange(32), indexing="ij")
    waves = np.sin((np.cos(angle)[:, None, None] * rows + np.sin(angle)[:, None, None] * cols) * 0.8
                   + rng.uniform(0, 2 * np.pi, (n, 1, 1)))
    images = np.repeat(waves[..., None], 3, axis=-1) + rng.normal(scale=0.3, size=(n, 32, 32, 3))
    return images.astype("float32"), keras.utils.to_categorical(labels, 10)


(x_train, y_train), (x_test, y_test) = stripes(256 if QUICK else 1000), stripes(256)

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    Conv2D(32, (3, 3), activation="relu"),
    Conv2D(32, (3, 3), activation="relu"),
    MaxPooling2D(pool_size=(2, 2)),
    Dropout(0.25),
    Conv2D(64, (3, 3), activation="relu"),
    Conv2D(64, (3, 3), activation="relu"),
    MaxPooling2D(pool_size=(2, 2)),
    Dropout(0.25),
    Flatten(),
    Dense(256, activation="relu"),
    Dropout(0.5),
    Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer=SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
              metrics=["accuracy"])
model.summary()
model.fit(x_train, y_train, batch_size=32, epochs=1 if QUICK else 5, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, batch_size=32, verbose=0)
print(f"test accuracy: {accuracy:.4f}")
