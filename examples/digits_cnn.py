"""The main example: the Keras tutorial's MNIST CNN, trained on scikit-learn's bundled 8x8 digits (no download).

    python examples/digits_cnn.py                 # full size: about 97% test accuracy, well under 2 minutes on 2 CPUs
    SYMK_EXAMPLE_QUICK=1 python examples/digits_cnn.py   # 2 epochs, a quick look (accuracy then varies)

It shows what symk does end to end: the summary, Keras's progress bar, the test accuracy, the
report of the inference pass pipeline, saving as .h5 (Keras 2 layout) and .keras (Keras 3),
reloading both and checking the predictions match, and the graph as SVG (with Graphviz) and HTML.
Outputs go to $SYMK_EXAMPLE_OUT (default: ./digits_cnn_output).
"""
import os
import shutil
import time

import numpy as np

import symk as keras
import symk.viz
from symk import layers

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
except ImportError as error:  # the example's only extra dependency
    raise SystemExit("this example needs scikit-learn for its bundled digits: "
                     "pip install 'symk[examples]' (or bash scripts/demo.sh)") from error

QUICK = os.environ.get("SYMK_EXAMPLE_QUICK") == "1"
EPOCHS = 2 if QUICK else 15
OUT = os.environ.get("SYMK_EXAMPLE_OUT", "digits_cnn_output")
os.makedirs(OUT, exist_ok=True)
started = time.perf_counter()
keras.utils.set_random_seed(0)

# 1797 handwritten digits, 8x8 pixels valued 0..16: 60% train, 20% validation, 20% test (stratified)
digits = load_digits()
images = (digits.images / 16.0).astype("float32")[..., None]  # (1797, 8, 8, 1), channels last as in Keras
x_train, x_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.2, random_state=0,
                                                    stratify=digits.target)
x_train, x_val, y_train, y_val = train_test_split(x_train, y_train, test_size=0.25, random_state=0, stratify=y_train)
y_train, y_val, y_test = (keras.utils.to_categorical(y, 10) for y in (y_train, y_val, y_test))
print(f"train {x_train.shape}, validation {x_val.shape}, test {x_test.shape}")

# The tutorial's CNN (examples/tutorials/t004_mnist_cnn.py). Its first convolution is 'valid' on 28x28
# MNIST; on 8x8 digits 'same' padding keeps enough of the picture for the pooling that follows.
model = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    layers.Conv2D(32, kernel_size=(5, 5), activation="relu", padding="same"),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
    layers.Conv2D(64, kernel_size=(5, 5), activation="relu", padding="same"),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
    layers.Flatten(),
    layers.Dropout(0.3),  # the only addition: 1078 training images overfit a 1M-weight Dense quickly
    layers.Dense(1000, activation="relu"),
    layers.Dense(10, activation="softmax"),
], name="digits_cnn")
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()

model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, validation_data=(x_val, y_val), verbose=1)
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {test_loss:.4f}, test accuracy: {test_accuracy:.4f}")

# What the inference pipeline does to the graph predict() runs (the model itself is unchanged)
print(model.optimize(mode="inference"))

# Save in both Keras formats, load each back and check it predicts the same numbers
predictions = model.predict(x_test, verbose=0)
for filename in ("digits_cnn.h5", "digits_cnn.keras"):
    path = os.path.join(OUT, filename)
    model.save(path)
    reloaded = keras.models.load_model(path)
    same = np.allclose(reloaded.predict(x_test, verbose=0), predictions, atol=1e-6)
    print(f"saved {path} ({os.path.getsize(path) / 1e6:.1f} MB); reloaded predictions equal: {same}")
    assert same, f"{path} reloaded with different predictions"

# The graph as pictures: SVG needs Graphviz's `dot` program, HTML needs the graph explorer
try:
    import pydot  # noqa: F401  (symk draws through pydot; pip install 'symk[examples]')
except ImportError:
    pydot = None
if shutil.which("dot") and pydot is not None:
    keras.utils.plot_model(model, to_file=os.path.join(OUT, "digits_cnn.svg"), show_shapes=True)
    print(f"graph picture: {os.path.join(OUT, 'digits_cnn.svg')}")
else:
    print("graph picture skipped: it needs Graphviz's `dot` (apt-get install graphviz) and pydot")
if hasattr(symk.viz, "write_html"):
    print(f"interactive graph: {symk.viz.write_html(model, os.path.join(OUT, 'digits_cnn.html'))}")
else:
    print("interactive graph skipped: this symk has no symk.viz.write_html yet")

print(f"done in {time.perf_counter() - started:.0f} s; test accuracy: {test_accuracy:.4f}")
