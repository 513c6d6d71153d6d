"""Tutorial 001 ("Keras Introduce", 2019): every Keras code block, with `keras` replaced by `symk`."""
import numpy as np

import symk as keras
from symk.layers import Activation, Dense
from symk.models import Sequential
from symk.optimizers import SGD

keras.utils.set_random_seed(0)
a = np.array([[1, 2], [3, 4]])
print(np.sum(a, axis=0), np.sum(a, axis=1))

x_train = np.random.random((200, 100)).astype("float32")
y_train = keras.utils.to_categorical(np.random.randint(10, size=(200, 1)), num_classes=10)
x_test, y_test = x_train[:50], y_train[:50]

model = Sequential()
model.add(Dense(units=64, input_dim=100))
model.add(Activation("relu"))
model.add(Dense(units=10))
model.add(Activation("softmax"))
model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.01, momentum=0.9, nesterov=True))
model.fit(x_train, y_train, epochs=5, batch_size=32)
x_batch, y_batch = x_train[:32], y_train[:32]
model.train_on_batch(x_batch, y_batch)
loss_and_metrics = model.evaluate(x_test, y_test, batch_size=128)
classes = model.predict(x_test, batch_size=128)
print(loss_and_metrics, classes.shape)

model = Sequential()
model.add(Dense(32, input_shape=(784,)))
model.add(Activation('relu'))
model = Sequential()
model.add(Dense(32, input_dim=784))
model = Sequential()
model.add(Dense(32, input_shape=(784,)))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])

# For a single-input model with 2 classes (binary classification):
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
data = np.random.random((1000, 100))
labels = np.random.randint(2, size=(1000, 1))
history = model.fit(data, labels, epochs=10, batch_size=32)
assert len(history.history["loss"]) == 10
