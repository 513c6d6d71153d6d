"""`symk.backend` — the Keras `K` functions, over symbolic tensors (and arrays).

Where Keras 2 had a function of the same name, it has the same semantics:

    x = K.placeholder(shape=(None, 2)); y = K.bias_add(K.dot(x, w), b)
"""
from __future__ import annotations

import numpy as np

from .graph import SymbolicTensor, reset_default_graph
from .ops.registry import apply, is_symbolic
from .random_state import numpy_rng
from .shapes import canonical_dtype
from .variables import Variable
from .config import (backend, epsilon, floatx, image_data_format,  # noqa: F401  (Keras 2's K names)
                     set_epsilon, set_floatx, set_image_data_format)


def clear_session() -> None:
    """Forget the default graph, restart layer auto-naming (dense, dense_1, ...) and, as Keras, go back to the
    default dtype policy."""
    from . import variables
    from .dtype_policies.policy import reset_global_policy
    from .layers.base import reset_names
    from .variables import reset_paths

    from .random.seed_generator import reset_generator_names

    reset_default_graph()
    reset_names()
    reset_generator_names()
    reset_paths()
    variables._used_paths.clear()  # so the new 'dense' owns 'dense/kernel' again, not 'dense/kernel_1'
    reset_global_policy()


# -- tensors and variables ---------------------------------------------------------------
def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """A graph input; `shape` includes the batch axis: placeholder(shape=(None, 2))."""
    from .layers.input_layer import Input

    if shape is None:
        if ndim is None:
            raise ValueError("placeholder needs `shape` or `ndim`")
        shape = (None,) * ndim
    return Input(batch_shape=tuple(shape), dtype=dtype or floatx(), name=name)


def variable(value, dtype=None, name=None, constraint=None):
    return Variable(np.asarray(value, dtype=canonical_dtype(dtype or floatx())), name=name or "variable",
                    constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    array = np.asarray(value, dtype=canonical_dtype(dtype or floatx()))
    if shape is not None:
        array = np.broadcast_to(array, shape).copy()
    import jax.numpy as jnp

    return jnp.asarray(array)


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype, name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype, name)


def eye(size, dtype=None, name=None):
    n, m = (size, size) if isinstance(size, int) else size
    return variable(np.eye(n, m), dtype, name)


def zeros_like(x, dtype=None, name=None):
    return apply("multiply", [x, 0]) if is_symbolic(x) else variable(np.zeros(np.shape(x)), dtype, name)


def ones_like(x, dtype=None, name=None):
    return apply("add", [apply("multiply", [x, 0]), 1]) if is_symbolic(x) else variable(np.ones(np.shape(x)), dtype, name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return variable(numpy_rng(seed).uniform(low, high, shape), dtype, name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return variable(numpy_rng(seed).normal(mean, scale, shape), dtype, name)


def int_shape(x):
    return tuple(x.shape)


def shape(x):
    """The shape; unknown (None) axes of a symbolic tensor become run-time scalars."""
    if isinstance(x, SymbolicTensor):
        return tuple(d if d is not None else apply("dim_size", [x], axis=i) for i, d in enumerate(x.shape))
    return tuple(np.shape(x))


def ndim(x) -> int:
    return len(x.shape)


def dtype(x) -> str:
    return canonical_dtype(x.dtype)


def is_keras_tensor(x) -> bool:
    return isinstance(x, SymbolicTensor)


def eval(x):
    """The value of an array, a variable, or a tensor computed from variables and constants only."""
    if isinstance(x, SymbolicTensor):
        from .errors import GraphError

        try:
            return function([], [x])([])[0]
        except GraphError as err:
            raise ValueError(f"cannot eval symbolic tensor {x.name!r}: it depends on graph inputs; use "
                             f"K.function([inputs], [outputs]) and feed them ({err})") from None
    return np.asarray(x)


def get_value(x):
    return np.asarray(x)


def set_value(x: Variable, value) -> None:
    x.assign(np.asarray(value))


def batch_get_value(xs):
    return [get_value(x) for x in xs]


def batch_set_value(pairs):
    for x, value in pairs:
        set_value(x, value)


def count_params(x) -> int:
    return int(np.prod(x.shape))


class Function:
    """K.function(inputs, outputs): a compiled callable from input arrays to output arrays."""

    def __init__(self, inputs, outputs, updates=None, name=None):
        from .codegen import Program
        from .errors import GraphError
        from .models.extraction import extract

        self._single = not isinstance(outputs, (list, tuple))
        self.inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self.outputs = [outputs] if self._single else list(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, SymbolicTensor):
                raise GraphError(f"K.function takes symbolic tensors (K.placeholder, layer outputs); got "
                                 f"{type(t).__name__}")
        # NOTE: not a Model: K.function's inputs may differ in their first axis (a batch and a weight matrix)
        graph = extract((self.inputs or self.outputs)[0].graph, self.inputs, self.outputs)
        self._program = Program(graph, [t.node for t in self.inputs], [(t.node, t.index) for t in self.outputs])

    def __call__(self, inputs):
        from .random_state import next_key

        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if len(inputs) != len(self.inputs):
            raise ValueError(f"this K.function takes {len(self.inputs)} input array(s), got {len(inputs)}")
        arrays = []
        for i, (value, t) in enumerate(zip(inputs, self.inputs)):
            array = np.asarray(value, dtype=t.dtype)
            # NOTE: this module's own `any` (K.any) shadows the builtin here
            mismatched = [d for d, a in zip(t.shape, array.shape) if d is not None and d != a]
            if array.ndim != t.ndim or mismatched:
                raise ValueError(f"input {i} of K.function ({t.name!r}) has shape {tuple(t.shape)}; got an array "
                                 f"of shape {array.shape}")
            arrays.append(array)
        program = self._program
        weights = {path: var.device_value() for path, var in program.variables.items()}
        outs, _ = program.run(weights, {}, arrays, next_key(), training=False)
        outs = [np.asarray(o) for o in outs]
        return outs[0] if self._single else outs


def function(inputs, outputs, updates=None, name=None, **kwargs):
    return Function(inputs, outputs, updates, name)


# -- math -----------------------------------------------------------------------------
def _axis_op(name):
    def fn(x, axis=None, keepdims=False):
        return apply(name, [x], axis=axis, keepdims=keepdims)

    fn.__name__ = name
    return fn


sum, mean, max, min, prod, std, var, any, all, logsumexp = (  # noqa: A001  (Keras's names)
    _axis_op(n) for n in ("sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "logsumexp"))


def argmax(x, axis=-1):
    return apply("argmax", [x], axis=axis)


def argmin(x, axis=-1):
    return apply("argmin", [x], axis=axis)


def _unary(name):
    def fn(x):
        return apply(name, [x])

    fn.__name__ = name
    return fn


square, sqrt, exp, log, abs, sign, round, sin, cos, sigmoid, tanh, softplus, softsign, hard_sigmoid = (  # noqa: A001
    _unary(n) for n in ("square", "sqrt", "exp", "log", "abs", "sign", "round", "sin", "cos", "sigmoid", "tanh",
                        "softplus", "softsign", "hard_sigmoid"))


def pow(x, a):  # noqa: A001
    return apply("power", [x, a])


def clip(x, min_value, max_value):
    return apply("clip", [x], min_value=min_value, max_value=max_value)


def maximum(x, y):
    return apply("maximum", [x, y])


def minimum(x, y):
    return apply("minimum", [x, y])


def equal(x, y):
    return apply("equal", [x, y])


def not_equal(x, y):
    return apply("not_equal", [x, y])


def greater(x, y):
    return apply("greater", [x, y])


def greater_equal(x, y):
    return apply("greater_equal", [x, y])


def less(x, y):
    return apply("less", [x, y])


def less_equal(x, y):
    return apply("less_equal", [x, y])


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    from . import activations

    return activations.relu(x, negative_slope=alpha, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    return apply("elu", [x], alpha=alpha)


def softmax(x, axis=-1):
    return apply("softmax", [x], axis=axis)


def l2_normalize(x, axis=None):
    sq = apply("sum", [apply("square", [x])], axis=axis, keepdims=True)
    return apply("multiply", [x, apply("rsqrt", [apply("maximum", [sq, 1e-12])])])


def dropout(x, level, noise_shape=None, seed=None):
    return apply("dropout", [x], rate=level, noise_shape=noise_shape)


# -- linear algebra ---------------------------------------------------------------------
def dot(x, y):
    """Keras 2's K.dot: matmul for a 2-D right operand, else contract x's last axis with y's second-to-last."""
    if y.ndim <= 2 or x.ndim == 1:
        return apply("matmul", [x, y])
    return apply("tensordot", [x, y], axes=((x.ndim - 1,), (y.ndim - 2,)))


def batch_dot(x, y, axes=None):
    """Keras 2's K.batch_dot: per-sample dot over `axes`, batch axis kept."""
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x.ndim - 1, y.ndim - 2 if y.ndim > 2 else y.ndim - 1)
    ax, ay = axes[0] % x.ndim, axes[1] % y.ndim
    if ax == 0 or ay == 0:
        raise ValueError("batch_dot cannot contract the batch axis (axis 0)")
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim == 2:
        x, ax = apply("expand_dims", [x], axis=1), 2
    if y_ndim == 2:
        y, ay = apply("expand_dims", [y], axis=2), 1
    # move the contracted axes next to the batch for a batched matmul
    x_perm = [0] + [i for i in range(1, x.ndim) if i != ax] + [ax]
    y_perm = [0, ay] + [i for i in range(1, y.ndim) if i != ay]
    xt = apply("transpose", [x], axes=tuple(x_perm))
    yt = apply("transpose", [y], axes=tuple(y_perm))
    xs, ys = xt.shape, yt.shape
    x2 = apply("reshape", [xt], shape=(-1, _prod(xs[1:-1]), xs[-1]))
    y2 = apply("reshape", [yt], shape=(-1, ys[1], _prod(ys[2:])))
    out = apply("matmul", [x2, y2])
    out_shape = (-1,) + tuple(xs[1:-1]) + tuple(ys[2:])
    out = apply("reshape", [out], shape=out_shape)
    # drop the unit axes the 2-D operands were given (Keras 2 keeps (batch, 1) for two vectors)
    if x_ndim == 2 and y_ndim == 2:
        out = apply("reshape", [out], shape=(-1, 1))
    elif x_ndim == 2:
        out = apply("squeeze", [out], axis=1)
    elif y_ndim == 2:
        out = apply("squeeze", [out], axis=-1)
    return out


def _prod(dims):
    total = 1
    for d in dims:
        total *= d
    return total


def bias_add(x, bias, data_format=None):
    return apply("bias_add", [x, bias], data_format=data_format or "channels_last")


def transpose(x):
    return apply("transpose", [x], axes=None)


# -- shapes -----------------------------------------------------------------------------
def concatenate(tensors, axis=-1):
    return apply("concatenate", list(tensors), axis=axis)


def stack(tensors, axis=0):
    return apply("stack", list(tensors), axis=axis)


def reshape(x, shape):
    return apply("reshape", [x], shape=tuple(-1 if d is None else d for d in shape))


def permute_dimensions(x, pattern):
    return apply("transpose", [x], axes=tuple(pattern))


def expand_dims(x, axis=-1):
    return apply("expand_dims", [x], axis=axis)


def squeeze(x, axis):
    return apply("squeeze", [x], axis=axis)


def flatten(x):
    return apply("reshape", [x], shape=(-1,))


def batch_flatten(x):
    return apply("reshape", [x], shape=(-1, _prod(x.shape[1:])))


def tile(x, n):
    return apply("tile", [x], repeats=(n,) if isinstance(n, int) else tuple(n))


def repeat(x, n):
    """Keras 2's K.repeat: (batch, dim) -> (batch, n, dim)."""
    return apply("repeat", [apply("expand_dims", [x], axis=1)], repeats=n, axis=1)


def repeat_elements(x, rep, axis):
    return apply("repeat", [x], repeats=rep, axis=axis)


def cast(x, dtype):
    return apply("cast", [x], dtype=dtype)


def one_hot(indices, num_classes):
    return apply("one_hot", [indices], num_classes=num_classes)


def gather(reference, indices):
    return apply("take", [reference, indices], axis=0)


def switch(condition, then_expression, else_expression):
    """Elementwise choice (a scalar Python bool picks one branch)."""
    if isinstance(condition, bool):
        return then_expression if condition else else_expression
    cond = condition if getattr(condition, "dtype", None) == "bool" else apply("cast", [condition], dtype="bool")
    return apply("where", [cond, then_expression, else_expression])


def stop_gradient(x):
    return apply("stop_gradient", [x])


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    if from_logits:
        return -apply("sum", [target * apply("log_softmax", [output], axis=axis)], axis=axis)
    output = output / apply("sum", [output], axis=axis, keepdims=True)
    output = clip(output, epsilon(), 1.0 - epsilon())
    return -apply("sum", [target * apply("log", [output])], axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    if from_logits:
        from .ops import sigmoid_cross_entropy_logits

        return sigmoid_cross_entropy_logits(target, output)
    output = clip(output, epsilon(), 1.0 - epsilon())
    return -(target * apply("log", [output]) + (1.0 - target) * apply("log", [1.0 - output]))
