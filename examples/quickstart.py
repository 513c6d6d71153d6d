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

# train it: the Keras tutorial's compile / fit / evaluate, on random data
from symk.optimizers import SGD  # noqa: E402

x_train = np.random.random((1000, 20)).astype("float32")
y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)
y_test = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)
model.compile(loss="categorical_crossentropy", optimizer=SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, batch_size=128, validation_split=0.2, verbose=2)
score = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
print("history keys:", sorted(history.history), "test loss, accuracy:", score)
