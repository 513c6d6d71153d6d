"""Moving a Keras 2 model to Keras 3: load an .h5 written by tf.keras 2 (tf_keras 2.21), check it predicts
what Keras 2 predicted, and save it as a Keras 3 `.keras` archive (and a Keras 3 `.h5`).

The Keras 2 file is tests/references/keras2/cnn.h5 (written by real tf_keras, with its inputs and
outputs in cnn.npz). Without the repository's tests/, symk writes a Keras 2 layout file itself.

    python examples/keras2_to_keras3.py       # writes into $SYMK_EXAMPLE_OUT (default ./keras2_to_keras3_output)
"""
import json
import os
import pathlib

import h5py
import numpy as np

import symk as keras

OUT = os.environ.get("SYMK_EXAMPLE_OUT", "keras2_to_keras3_output")
os.makedirs(OUT, exist_ok=True)
reference = pathlib.Path(__file__).resolve().parents[1] / "tests" / "references" / "keras2"
keras2_file = reference / "cnn.h5"

if keras2_file.exists():
    expected = np.load(reference / "cnn.npz")
    x, y_keras2 = expected["x"], expected["y"]
    writer = "Keras 2's"
else:  # write a Keras 2 layout file with symk: the layout tf.keras 2 reads (batch_input_shape, no 'module' keys)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")], name="cnn")
    keras2_file = pathlib.Path(OUT) / "cnn_keras2.h5"
    model.save(keras2_file, keras_version=2)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 3)).astype("float32")
    y_keras2 = model.predict(x, verbose=0)
    writer = "the writing model's"

with h5py.File(keras2_file, "r") as file:  # what makes it a Keras 2 file
    config = json.loads(file.attrs["model_config"])
    print(f"{keras2_file.name}: keras_version {file.attrs['keras_version']}, backend {file.attrs.get('backend')}, "
          f"input layer config has batch_input_shape: {'batch_input_shape' in config['config']['layers'][0]['config']}")

model = keras.models.load_model(keras2_file)  # Keras 2 names (batch_input_shape, ...) are read as Keras 3's
model.summary()
y_symk = model.predict(x, verbose=0)
print(f"loaded model's predictions equal {writer}:", bool(np.allclose(y_symk, y_keras2, atol=1e-5)))

for name in ("cnn.keras", "cnn_keras3.h5"):
    path = os.path.join(OUT, name)
    model.save(path)  # Keras 3 layouts: what Keras 3 (and symk) load
    again = keras.models.load_model(path)
    print(f"saved {path}; reloaded predictions equal: {bool(np.allclose(again.predict(x, verbose=0), y_symk))}")
with h5py.File(os.path.join(OUT, "cnn_keras3.h5"), "r") as file:
    print("the new .h5 says keras_version", file.attrs["keras_version"])
print("converted: Keras 2 .h5 -> Keras 3 .keras")
