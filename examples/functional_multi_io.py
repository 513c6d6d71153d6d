"""The Keras functional-API guide's headline model: a headline (word ids) through Embedding + LSTM, an
auxiliary input of 5 numbers, an auxiliary output on the LSTM alone, and loss weights 1.0 / 0.2.

Data: headlines are random word ids; a headline "goes viral" when it contains word 7 (the main
and auxiliary targets) — so the LSTM has something real to find.

    SYMK_EXAMPLE_QUICK=1 python examples/functional_multi_io.py     # fewer samples and epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk import layers

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
WORDS, LENGTH = 1000, 20

main_input = keras.Input(shape=(LENGTH,), dtype="int32", name="main_input")
x = layers.Embedding(output_dim=64, input_dim=WORDS)(main_input)
lstm_out = layers.LSTM(32)(x)
auxiliary_output = layers.Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
auxiliary_input = keras.Input(shape=(5,), name="aux_input")
x = layers.concatenate([lstm_out, auxiliary_input])
x = layers.Dense(64, activation="relu")(x)
x = layers.Dense(64, activation="relu")(x)
main_output = layers.Dense(1, activation="sigmoid", name="main_output")(x)
model = keras.Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])

# inputs and outputs by name, loss weights as in the guide
model.compile(optimizer="adam", loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
              loss_weights={"main_output": 1.0, "aux_output": 0.2}, metrics={"main_output": "accuracy"})
model.summary()

n = 512 if QUICK else 2000
headlines = rng.integers(0, WORDS, (n, LENGTH)).astype("int32")
headlines[rng.random(n) < 0.5, rng.integers(0, LENGTH)] = 7  # about half the headlines contain word 7
viral = (headlines == 7).any(axis=1).astype("float32")[:, None]
extra = rng.normal(size=(n, 5)).astype("float32")
data = {"main_input": headlines, "aux_input": extra}
targets = {"main_output": viral, "aux_output": viral}
split = n * 4 // 5
history = model.fit({k: v[:split] for k, v in data.items()}, {k: v[:split] for k, v in targets.items()},
                    epochs=1 if QUICK else 6, batch_size=32, verbose=2)
print("losses logged:", sorted(k for k in history.history if k.endswith("loss")))
results = model.evaluate({k: v[split:] for k, v in data.items()}, {k: v[split:] for k, v in targets.items()},
                         verbose=0, return_dict=True)
accuracy = [v for k, v in results.items() if "accuracy" in k][0]
print(f"test main_output accuracy: {accuracy:.4f}")
