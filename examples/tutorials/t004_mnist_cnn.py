"""Tutorial 004 (Keras 手写数字识别): the MNIST CNN with `keras` replaced by `symk`.

The tutorial downloads MNIST; here `mnist.load_data()` is used when Keras's cached file exists, and
random MNIST-shaped data otherwise (few samples, one epoch, so it runs quickly on a CPU).
"""
import os

import numpy as np

from symk import layers, models
from symk.datasets import mnist
from symk.utils import np_utils
from symk.utils.np_utils import to_categorical

os.environ['CUDA_VISIBLE_DEVICES'] = '/gpu:0'
try:
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train, y_train, x_test, y_test = x_train[:512], y_train[:512], x_test[:128], y_test[:128]
except FileNotFoundError:
    rng = np.random.default_rng(0)
    x_train, y_train = rng.integers(0, 256, (256, 28, 28)), rng.integers(0, 10, 256)
    x_test, y_test = rng.integers(0, 256, (64, 28, 28)), rng.integers(0, 10, 64)
print(x_train.shape)
print(x_test.shape)
x_train = x_train.reshape(x_train.shape[0], 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(x_test.shape[0], 28, 28, 1).astype('float32') / 255
y_train = np_utils.to_categorical(y_train, 10)
y_test = np_utils.to_categorical(y_test, 10)

model = models.Sequential()
model.add(layers.Conv2D(32, kernel_size=(5, 5), strides=(1, 1), activation='relu', input_shape=(28, 28, 1)))
model.add(layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
model.add(layers.Conv2D(64, kernel_size=(5, 5), activation='relu', padding='same'))
model.add(layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding='same'))
model.add(layers.Flatten())
model.add(layers.Dense(1000, activation='relu'))
model.add(layers.Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.summary()
model.fit(x_train, y_train, epochs=1, batch_size=128, validation_split=0.3, shuffle=True, verbose=2)

# the "完整代码" variant: valid padding in the second conv, default pooling
model = models.Sequential()
model.add(layers.Conv2D(32, kernel_size=(5, 5), strides=(1, 1), activation='relu', input_shape=(28, 28, 1)))
model.add(layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
model.add(layers.Conv2D(64, kernel_size=(5, 5), activation='relu'))
model.add(layers.MaxPooling2D(pool_size=(2, 2)))
model.add(layers.Flatten())
model.add(layers.Dense(1000, activation='relu'))
model.add(layers.Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=1, batch_size=128)
test_loss, test_acc = model.evaluate(x_test, y_test)
print('test_loss', test_loss)
print('test_acc', test_acc)

layers.Dense(500, input_shape=(784,))
layers.Activation('tanh')
layers.Dropout(0.5)

b = [0, 1, 2, 3, 4, 5, 6, 7, 8]
b = to_categorical(b, 9)
print(b)
assert (b == np.eye(9)).all()
