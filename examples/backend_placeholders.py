"""The Keras 2 backend (`K`) API: placeholders, variables, symbolic expressions and K.function, over symk's graph.

Keras 2 code that builds with `K.placeholder` and evaluates with `K.function` runs unchanged: each K
call adds an op node with its shape inferred on the spot; `K.function` compiles the graph with XLA.

    python examples/backend_placeholders.py
"""
import numpy as np

from symk import backend as K

# placeholders: symbolic inputs, None for a size known only when data arrive
x = K.placeholder(shape=(None, 4), name="x")
w = K.variable(np.arange(12, dtype="float32").reshape(4, 3) / 10, name="w")
b = K.zeros((3,))
print("placeholder:", K.int_shape(x), K.dtype(x), "| variable:", K.int_shape(w), "| ndim:", K.ndim(x))

# expressions: every call checks shapes now, not when XLA compiles
logits = K.bias_add(K.dot(x, w), b)
probabilities = K.softmax(logits)
rescaled = K.l2_normalize(K.relu(logits), axis=-1)
print("logits:", K.int_shape(logits), "| softmax:", K.int_shape(probabilities))
try:
    K.dot(x, K.ones((5, 2)))  # 4 features cannot meet a (5, 2) matrix
except Exception as error:  # a symk ShapeError, raised while building
    print("shape error at build time:", type(error).__name__, "-", str(error).splitlines()[0][:100])

# K.function: the Keras 2 way to run part of a graph (compiled once, fed numpy)
run = K.function([x], [probabilities, rescaled])
data = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
probs, unit = run([data])
reference = np.exp(data @ K.eval(w)) / np.exp(data @ K.eval(w)).sum(axis=1, keepdims=True)  # numpy's softmax
print("K.function outputs:", probs.shape, unit.shape, "| softmax equals numpy's:",
      bool(np.allclose(probs, reference, atol=1e-5)))

# variables hold values: K.get_value / K.set_value, and the graph reads the new value
K.set_value(w, np.ones((4, 3), "float32"))
print("after K.set_value, rows of logits equal row sums of x:",
      bool(np.allclose(K.function([x], [logits])([data])[0], data.sum(1, keepdims=True).repeat(3, 1), atol=1e-5)))
print("K.eval of a constant expression:", float(K.eval(K.sum(K.ones((2, 3))))))
