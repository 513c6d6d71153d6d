"""Text classification from raw strings (the Keras example "Text classification from scratch", shrunk):
a TextVectorization layer as the model's first layer, then Embedding, GlobalAveragePooling1D and Dense.

The vectorizer runs on the host, in numpy, on each batch of strings; the compiled graph starts at the
token ids it produces. The model trains, predicts and saves straight from text, and its .keras archive
keeps the adapted vocabulary (as Keras does, under assets/).

Data: generated "reviews" of 6-10 words, mixing neutral words with words from a positive and a
negative list; a review is positive when it has more positive than negative words.

    SYMK_EXAMPLE_QUICK=1 python examples/text_classification_strings.py     # fewer epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk import layers

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
OUT = os.environ.get("SYMK_EXAMPLE_OUT", "text_classification_strings_output")
os.makedirs(OUT, exist_ok=True)
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)

POSITIVE = "great superb lovely fun charming moving brilliant".split()
NEGATIVE = "dull awful boring clumsy tedious weak bland".split()
NEUTRAL = "the film plot actor scene story music ending script movie was and a it".split()


def reviews(n):
    """n sentences and their labels (1: more positive than negative words)."""
    texts, labels = [], []
    for _ in range(n):
        n_pos, n_neg = rng.integers(0, 4, 2)
        while n_pos == n_neg:
            n_pos, n_neg = rng.integers(0, 4, 2)
        words = list(rng.choice(POSITIVE, n_pos)) + list(rng.choice(NEGATIVE, n_neg))
        words += list(rng.choice(NEUTRAL, rng.integers(6, 11) - len(words)))
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + "!")
        labels.append(float(n_pos > n_neg))
    return np.array(texts), np.array(labels, "float32")


(x_train, y_train), (x_test, y_test) = reviews(600), reviews(200)

# adapt() learns the vocabulary from the training text, before the model is built
vectorize = layers.TextVectorization(max_tokens=100, output_sequence_length=12)
vectorize.adapt(x_train)

inputs = keras.Input(shape=(1,), dtype="string")
x = vectorize(inputs)                          # host side: strings -> token ids (None, 12)
x = layers.Embedding(100, 16)(x)               # the compiled graph starts here
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()

model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=4 if QUICK else 15, validation_split=0.2, verbose=2)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")

samples = ["A superb, moving and charming film!", "Dull plot, awful acting and a boring ending."]
scores = model.predict(samples, verbose=0)[:, 0]
print("predictions on raw strings: " + ", ".join(f"{s!r}: {p:.2f}" for s, p in zip(samples, scores)))

path = os.path.join(OUT, "text_classifier.keras")
model.save(path)
reloaded = keras.saving.load_model(path)
same = np.allclose(reloaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0), atol=1e-6)
print(f"saved {path}; vocabulary kept: {reloaded.layers[1].get_vocabulary() == vectorize.get_vocabulary()}; "
      f"reloaded predictions equal: {same}")
