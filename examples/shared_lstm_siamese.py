"""Shared layers and the call-site API (Keras guide): one LSTM reads two tweets; do they share a topic?

A layer called twice has two call sites ("nodes" in Keras): `get_output_at(0)` and `get_output_at(1)`
are its two output tensors, `layer.output` is ambiguous and raises. Data: each "tweet" is a noisy
sequence around one of four topic vectors; a pair is labelled 1 when both tweets share their topic.

    SYMK_EXAMPLE_QUICK=1 python examples/shared_lstm_siamese.py     # fewer samples and epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk import layers

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
STEPS, FEATURES = 12, 16

tweet_a = keras.Input(shape=(STEPS, FEATURES), name="tweet_a")
tweet_b = keras.Input(shape=(STEPS, FEATURES), name="tweet_b")
shared_lstm = layers.LSTM(32, name="shared_lstm")   # one set of weights ...
encoded_a = shared_lstm(tweet_a)                       # ... call site 0
encoded_b = shared_lstm(tweet_b)                       # ... call site 1
merged = layers.concatenate([encoded_a, encoded_b, layers.subtract([encoded_a, encoded_b])])
hidden = layers.Dense(32, activation="relu")(merged)
prediction = layers.Dense(1, activation="sigmoid")(hidden)
model = keras.Model(inputs=[tweet_a, tweet_b], outputs=prediction)

print("call sites:", len(shared_lstm.inbound_nodes))
print("get_output_at(0) is encoded_a:", shared_lstm.get_output_at(0) is encoded_a,
      "| get_output_at(1) is encoded_b:", shared_lstm.get_output_at(1) is encoded_b)
print("input shape at call site 1:", shared_lstm.get_input_shape_at(1))
try:
    shared_lstm.output
except AttributeError as error:  # Keras raises AttributeError for a layer with several call sites
    print("layer.output with two call sites raises:", str(error).splitlines()[0][:90])
print("weights:", len(shared_lstm.weights), "(kernel, recurrent_kernel, bias: shared by both calls)")

n = 400 if QUICK else 2000
topics = rng.normal(size=(4, 1, FEATURES))
topic_a = rng.integers(0, 4, n)
same = rng.random(n) < 0.5
topic_b = np.where(same, topic_a, (topic_a + rng.integers(1, 4, n)) % 4)  # a different topic when not `same`
a = (topics[topic_a] + rng.normal(size=(n, STEPS, FEATURES))).astype("float32")
b = (topics[topic_b] + rng.normal(size=(n, STEPS, FEATURES))).astype("float32")
y = same.astype("float32")[:, None]
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
split = n * 4 // 5
model.fit([a[:split], b[:split]], y[:split], epochs=1 if QUICK else 5, batch_size=32, verbose=2)
loss, accuracy = model.evaluate([a[split:], b[split:]], y[split:], verbose=0)
print(f"test accuracy: {accuracy:.4f}")
