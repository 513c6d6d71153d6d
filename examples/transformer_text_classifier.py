"""Text classification with a Transformer (the Keras example's structure): a TransformerBlock layer and a
TokenAndPositionEmbedding layer, both subclassed Layers, on generated "reviews".

Data: reviews are random word ids from a 2,000-word vocabulary; words 1-20 are "positive", 21-40
"negative", and a review's label is whether it has more positive than negative words.

    SYMK_EXAMPLE_QUICK=1 python examples/transformer_text_classifier.py     # fewer samples and epochs, for CI
"""
import os

import numpy as np

import symk as keras
from symk import layers, ops

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
keras.utils.set_random_seed(0)
VOCAB, MAXLEN, EMBED, HEADS, FF = 2000, 40, 32, 2, 32


class TransformerBlock(layers.Layer):
    """Self-attention and a feed-forward network, each with a residual connection and layer normalization."""

    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=None):
        attention = self.dropout1(self.att(inputs, inputs), training=training)
        out1 = self.layernorm1(inputs + attention)
        return self.layernorm2(out1 + self.dropout2(self.ffn(out1), training=training))


class TokenAndPositionEmbedding(layers.Layer):
    """A word's embedding plus its position's embedding (positions 0..maxlen-1, learnt)."""

    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1], 1)
        return self.token_emb(x) + self.pos_emb(positions)


inputs = keras.Input(shape=(MAXLEN,), dtype="int32")
x = TokenAndPositionEmbedding(MAXLEN, VOCAB, EMBED)(inputs)
x = TransformerBlock(EMBED, HEADS, FF)(x)
x = layers.GlobalAveragePooling1D()(x)
x = layers.Dropout(0.1)(x)
x = layers.Dense(20, activation="relu")(x)
x = layers.Dropout(0.1)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()

rng = np.random.default_rng(0)


def reviews(n):
    words = rng.integers(41, VOCAB, (n, MAXLEN))
    sentiment = rng.integers(0, 2, n)
    for i in range(n):  # 3 to 8 sentiment words, most of them of the review's sentiment
        count = rng.integers(3, 9)
        spots = rng.choice(MAXLEN, count, replace=False)
        positive = rng.random(count) < (0.8 if sentiment[i] else 0.2)
        words[i, spots] = np.where(positive, rng.integers(1, 21, count), rng.integers(21, 41, count))
    labels = ((words >= 1) & (words <= 20)).sum(1) > ((words >= 21) & (words <= 40)).sum(1)
    return words.astype("int32"), labels.astype("int32")


(x_train, y_train), (x_val, y_val) = reviews(800 if QUICK else 4000), reviews(500)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=1 if QUICK else 4, validation_data=(x_val, y_val), verbose=2)
loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
print(f"validation accuracy: {accuracy:.4f}")
