"""Regenerate the pictures in docs/images/ with symk itself (Graphviz and pydot needed).

    python docs/images/make_images.py
"""
import pathlib

import symk as keras
import symk.viz
from symk import layers

HERE = pathlib.Path(__file__).resolve().parent


def small_cnn():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    x = layers.Conv2D(4, 3, use_bias=False, name="conv")(inputs)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.5, name="dropout")(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="small_cnn")


model = small_cnn()
# the layers, as Keras's plot_model draws them (the README's picture)
keras.utils.plot_model(model, to_file=str(HERE / "small_cnn_layers.svg"), show_shapes=True)
# the op graph the layers built: one node per op, clustered by the layer that added it
symk.viz.export(model, str(HERE / "small_cnn_ops.svg"), level="ops")
# the same graph after the inference pipeline: dropout removed, batch norm folded into the convolution
view, report = symk.viz.model_diff(model, level="ops")
symk.viz.write_view(view, str(HERE / "small_cnn_inference_diff.svg"))
print(report)
for path in sorted(HERE.glob("*.svg")):
    print(path.name, path.stat().st_size, "bytes")
