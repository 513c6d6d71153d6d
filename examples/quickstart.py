"""Quickstart: the Keras tutorial's MLP, written with symk in place of keras."""
import numpy as np

import symk as keras
from symk.layers import Activation, Dense, Dropout
from symk.models import Sequential

keras.utils.set_random_seed(0)
x_test = np.random.random((100, 20)).astype("float32")

model = Sequential()
model.add(Dense(64, activation="relu", input_dim=20))
model.add(Dropout(0.5))
model.add(Dense(64, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(10, activation="softmax"))
model.summary()

probabilities = model.predict(x_test, batch_size=32)
print("predictions:", probabilities.shape, "rows sum to 1:", bool(np.allclose(probabilities.sum(1), 1, atol=1e-5)))
print("graph:", model.graph)
