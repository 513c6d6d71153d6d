"""The inference pipeline: what the passes do to a Conv-BatchNorm-ReLU CNN (report, graphs before and after),
that predictions are unchanged, and exporting the model for runtimes without symk (ONNX, StableHLO).

    python examples/optimize_and_export.py       # writes into $SYMK_EXAMPLE_OUT (default ./optimize_output)
"""
import os
import shutil

import numpy as np

import symk as keras
import symk.viz
from symk import layers

OUT = os.environ.get("SYMK_EXAMPLE_OUT", "optimize_output")
os.makedirs(OUT, exist_ok=True)
keras.utils.set_random_seed(0)

inputs = keras.Input(shape=(16, 16, 3), name="image")
x = inputs
for filters in (8, 16):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)   # folded into the convolution's weights at inference
    x = layers.ReLU()(x)
    x = layers.MaxPooling2D()(x)
x = layers.Flatten()(x)
x = layers.Dropout(0.5)(x)               # removed at inference: it is the identity there
outputs = layers.Dense(4, activation="softmax")(x)
model = keras.Model(inputs, outputs, name="conv_bn_cnn")
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
images = np.random.default_rng(0).normal(size=(64, 16, 16, 3)).astype("float32")
model.fit(images, np.arange(64) % 4, epochs=1, verbose=0)  # moving statistics away from 0 and 1

# 1. the report: each pass, what it matched, removed and added (node counts of the op graph), by layer
report = model.optimize(mode="inference")
print(report)

# 2. the graphs before and after each pass (JSON always; SVG pictures too when Graphviz is installed)
print(keras.passes.explain(model, export_to=os.path.join(OUT, "passes"), format="json").splitlines()[-1])
try:
    import pydot  # noqa: F401  (symk draws through pydot)
except ImportError:
    pydot = None
if shutil.which("dot") and pydot is not None:
    view, _ = symk.viz.model_diff(model, level="layers")
    print("layer diff picture:", symk.viz.write_view(view, os.path.join(OUT, "inference_diff.svg")))
else:
    print("pictures skipped: they need Graphviz's `dot` (apt-get install graphviz) and pydot")

# 3. the optimized graph predicts what the unoptimized one does
optimized = model.predict(images, verbose=0)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", optimize="none")
plain = model.predict(images, verbose=0)
print("optimized predictions equal unoptimized:", bool(np.allclose(optimized, plain, atol=1e-5)))
# exports lower the optimized inference graph (the unoptimized one still has training-only ops)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

# 4. export: ONNX (needs the onnx extra) and a StableHLO artifact (jax.export), both with a dynamic batch
try:
    import onnxruntime

    model.export(os.path.join(OUT, "model.onnx"), format="onnx")
    session = onnxruntime.InferenceSession(os.path.join(OUT, "model.onnx"))
    onnx_out = session.run(None, {session.get_inputs()[0].name: images[:5]})[0]
    print("ONNX Runtime predictions equal symk's:", bool(np.allclose(onnx_out, plain[:5], atol=1e-4)))
except ImportError:
    print("ONNX export skipped: pip install 'symk[onnx]'")
model.export(os.path.join(OUT, "stablehlo"), format="stablehlo")
loaded = keras.export.load(os.path.join(OUT, "stablehlo"))
print("StableHLO artifact predictions equal symk's:", bool(np.allclose(np.asarray(loaded(images[:7])), plain[:7],
                                                                       atol=1e-5)))
print(f"inference graph: {report.nodes_before} -> {report.nodes_after} nodes")
