"""Tutorial 002 (Keras 中文文档笔记, 2020): every Keras code block, with `keras` replaced by `symk`.

The tutorial's typos (`Activition`, `mdoel`) are corrected; sizes and epochs are reduced so it runs
quickly on a CPU.
"""
import numpy as np

import symk as keras
import symk.backend as K
from symk.layers import (LSTM, Activation, Conv2D, Dense, Dropout, Embedding, Flatten, Input,
                         MaxPooling2D, TimeDistributed)
from symk.models import Model, Sequential
from symk.optimizers import SGD

keras.utils.set_random_seed(0)

model = Sequential([Dense(32, input_shape=(784,)), Activation('relu'), Dense(10), Activation('softmax')])
model = Sequential()
model.add(Dense(32, input_dim=784))
model.add(Activation('relu'))

model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
model.compile(optimizer='rmsprop', loss='mse')


def mean_pred(y_true, y_pred):
    return K.mean(y_pred)


model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy', mean_pred])

# 二分类
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(1, activation='sigmoid'))
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
data = np.random.random((1000, 100))
labels = np.random.randint(2, size=(1000, 1))
model.fit(data, labels, epochs=2, batch_size=32)

# 多分类
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=100))
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
labels = np.random.randint(10, size=(1000, 1))
one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)
model.fit(data, one_hot_labels, epochs=2, batch_size=32)

# 基于多层感知器的 softmax 多分类
x_train = np.random.random((1000, 20))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)
x_test = np.random.random((100, 20))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)
model = Sequential()
model.add(Dense(64, activation='relu', input_dim=20))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
model.fit(x_train, y_train, epochs=3, batch_size=128)
score = model.evaluate(x_test, y_test, batch_size=128)

# 基于多层感知器的二分类
x_train = np.random.random((1000, 20))
y_train = np.random.randint(2, size=(1000, 1))
x_test = np.random.random((100, 20))
y_test = np.random.randint(2, size=(100, 1))
model = Sequential()
model.add(Dense(64, input_dim=20, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(64, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=3, batch_size=128)
score = model.evaluate(x_test, y_test, batch_size=128)

# 类似 VGG 的卷积神经网络 (images 20x20 instead of 100x100 to stay fast on a CPU)
x_train = np.random.random((40, 20, 20, 3))
y_train = keras.utils.to_categorical(np.random.randint(10, size=(40, 1)), num_classes=10)
x_test = np.random.random((8, 20, 20, 3))
y_test = keras.utils.to_categorical(np.random.randint(10, size=(8, 1)), num_classes=10)
model = Sequential()
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(20, 20, 3)))
model.add(Conv2D(32, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(Conv2D(64, (3, 3), activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(256, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(10, activation='softmax'))
sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd)
model.fit(x_train, y_train, batch_size=32, epochs=2)
score = model.evaluate(x_test, y_test, batch_size=32)

# 函数式 API：全连接网络
inputs = Input(shape=(784,))
x = Dense(64, activation='relu')(inputs)
x = Dense(64, activation='relu')(x)
predictions = Dense(10, activation='softmax')(x)
model = Model(inputs=inputs, outputs=predictions)
model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
data = np.random.random((64, 784))
labels = keras.utils.to_categorical(np.random.randint(10, size=(64, 1)), num_classes=10)
model.fit(data, labels)

# 所有的模型都可调用，就像网络层一样
input_sequences = Input(shape=(20, 784))
processed_sequences = TimeDistributed(model)(input_sequences)
assert tuple(processed_sequences.shape) == (None, 20, 10)

# 多输入多输出模型 (vocabulary, length and width reduced)
main_input = Input(shape=(100,), dtype='int32', name='main_input')
x = Embedding(output_dim=32, input_dim=1000, input_length=100)(main_input)
lstm_out = LSTM(32)(x)
auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
auxiliary_input = Input(shape=(5,), name='aux_input')
x = keras.layers.concatenate([lstm_out, auxiliary_input])
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
x = Dense(64, activation='relu')(x)
main_output = Dense(1, activation='sigmoid', name='main_output')(x)
model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
model.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])
headline_data = np.random.randint(1, 1000, size=(64, 100))
additional_data = np.random.random((64, 5))
labels = np.random.randint(2, size=(64, 1))
model.fit([headline_data, additional_data], [labels, labels], epochs=2, batch_size=32)
model.compile(optimizer='rmsprop',
              loss={'main_output': 'binary_crossentropy', 'aux_output': 'binary_crossentropy'},
              loss_weights={'main_output': 1., 'aux_output': 0.2})
model.fit({'main_input': headline_data, 'aux_input': additional_data},
          {'main_output': labels, 'aux_output': labels}, epochs=2, batch_size=32)

# 共享网络层 (sequence length 28 instead of 280)
tweet_a = Input(shape=(28, 256))
tweet_b = Input(shape=(28, 256))
shared_lstm = LSTM(64)
encoded_a = shared_lstm(tweet_a)
encoded_b = shared_lstm(tweet_b)
merged_vector = keras.layers.concatenate([encoded_a, encoded_b], axis=-1)
predictions = Dense(1, activation='sigmoid')(merged_vector)
model = Model(inputs=[tweet_a, tweet_b], outputs=predictions)
model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
data_a = np.random.random((32, 28, 256))
data_b = np.random.random((32, 28, 256))
labels = np.random.randint(2, size=(32, 1))
model.fit([data_a, data_b], labels, epochs=2)

# 层「节点」的概念
a = Input(shape=(28, 256))
lstm = LSTM(32)
encoded_a = lstm(a)
assert lstm.output == encoded_a
a = Input(shape=(28, 256))
b = Input(shape=(28, 256))
lstm = LSTM(32)
encoded_a = lstm(a)
encoded_b = lstm(b)
try:
    lstm.output
    raise AssertionError("lstm.output should be ill-defined with two inbound nodes")
except AttributeError as error:
    print(error)
    assert "get_output_at" in str(error)
assert lstm.get_output_at(0) == encoded_a
assert lstm.get_output_at(1) == encoded_b

a = Input(shape=(32, 32, 3))
b = Input(shape=(64, 64, 3))
conv = Conv2D(16, (3, 3), padding='same')
conved_a = conv(a)
assert conv.input_shape == (None, 32, 32, 3)
conved_b = conv(b)
assert conv.get_input_shape_at(0) == (None, 32, 32, 3)
assert conv.get_input_shape_at(1) == (None, 64, 64, 3)
