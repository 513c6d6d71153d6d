"""Order statistics (median, quantile, percentile and their NaN-skipping twins), the weighted average and
the correlation matrix, as keras.ops has them.

    >>> symk.ops.quantile(x, np.array([0.25, 0.75]), axis=-1)   # shape (2,) + x.shape[:-1]
    >>> symk.ops.average(x, axis=1, weights=w)                    # w of shape x.shape[1:2]
"""
from __future__ import annotations

import jax.numpy as jnp

from .. import config
from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axes
from .api import export_op, keras_export
from .elementwise import inexact_dtype, is_inexact, refuse_complex, result_dtype
from .numpy_dtypes import cast, promoted_dtype
from .reduce import reduced_shape
from .registry import apply, def_op

METHODS = ("linear", "lower", "higher", "midpoint", "nearest")  # the ones Keras documents


def median_rule(specs, attrs):
    refuse_complex(specs[0].dtype)
    return TensorSpec.of(reduced_shape(specs[0].shape, attrs.axis, attrs.keepdims), inexact_dtype(specs[0].dtype))


def _quantile_rule(fractions: bool):
    def rule(specs, attrs):
        x, q = specs
        if attrs.method not in METHODS:
            raise RuleViolation(f"unknown method {attrs.method!r}", f"use one of {', '.join(METHODS)}")
        if len(q.shape) > 1:
            raise RuleViolation(f"q must be a scalar or a vector, got shape {tuple(q.shape)}", "flatten q first")
        if fractions and "float" not in q.dtype:
            raise RuleViolation(f"q must hold floats in [0, 1], got {q.dtype}", "for percentages use ops.percentile")
        out = median_rule([x], attrs)
        return TensorSpec.of(tuple(q.shape) + tuple(out.shape), out.dtype)
    return rule


def _order_statistic(fn):
    def lower(x, q, axis, method, keepdims):
        out = fn(x, q, axis=axis, method=method, keepdims=keepdims)
        # NOTE: jnp gives a scalar x with keepdims=True an extra axis of 1; numpy (and the rule) do not
        return jnp.reshape(out, jnp.shape(q)) if jnp.ndim(x) == 0 else out
    return lower


# quantile/nanquantile take q in [0, 1], percentile/nanpercentile in [0, 100]
ORDER_STATISTICS = {"quantile": (jnp.quantile, True), "nanquantile": (jnp.nanquantile, True),
                    "percentile": (jnp.percentile, False), "nanpercentile": (jnp.nanpercentile, False)}
for _name, (_fn, _fractions) in ORDER_STATISTICS.items():
    def_op(_name, _quantile_rule(_fractions), _order_statistic(_fn),
           attrs=dict(axis=None, method="linear", keepdims=False), inputs=2)


def _median(fn):
    def lower(x, axis, keepdims):
        out = fn(x, axis=axis, keepdims=keepdims)
        return jnp.reshape(out, ()) if jnp.ndim(x) == 0 else out  # the same NOTE as above
    return lower


for _name, _fn in {"median": jnp.median, "nanmedian": jnp.nanmedian}.items():
    def_op(_name, median_rule, _median(_fn), attrs=dict(axis=None, keepdims=False))


def _same_dims(a, b) -> bool:
    return len(a) == len(b) and all(i is None or j is None or i == j for i, j in zip(a, b))


def average_rule(specs, attrs):
    """jnp.average: weights of x's shape, or of the shape of x's axes named by `axis`."""
    x, weights = specs
    axes = normalize_axes(attrs.axis, len(x.shape))
    if not _same_dims(x.shape, weights.shape):
        if attrs.axis is None:
            raise RuleViolation(f"weights of shape {tuple(weights.shape)} differ from x's {tuple(x.shape)}, and "
                                "axis is None", "give the axis the weights run along, e.g. axis=1")
        along = tuple(x.shape[a] for a in axes)
        if not _same_dims(along, weights.shape):
            raise RuleViolation(f"weights of shape {tuple(weights.shape)} must match x's shape {tuple(x.shape)} "
                                f"or its axes {attrs.axis} (sizes {along})", "reshape the weights")
    return TensorSpec.of(reduced_shape(x.shape, attrs.axis, False), inexact_dtype(result_dtype(specs)))


def_op("average", average_rule, lambda x, weights, axis: jnp.average(x, axis=axis, weights=weights),
       attrs=dict(axis=None), inputs=2)


def corrcoef_rule(specs, attrs):
    """One variable per row: (n, m) gives (n, n), a single variable (a vector, or n == 1) a scalar."""
    shape = specs[0].shape
    if len(shape) > 2:
        raise RuleViolation(f"corrcoef takes a vector or a matrix (variables x observations), got rank {len(shape)}",
                            "reshape to (variables, observations)")
    if len(shape) == 2 and shape[0] is None:
        raise RuleViolation("corrcoef needs the number of variables (axis 0) to be known: 1 gives a scalar, "
                            "n > 1 an (n, n) matrix", "give the input a fixed first dimension")
    variables = shape[0] if len(shape) == 2 else 1
    return TensorSpec.of(() if variables == 1 else (variables, variables), inexact_dtype(specs[0].dtype))


def_op("corrcoef", corrcoef_rule, jnp.corrcoef)

# -- Keras names ---------------------------------------------------------------------------------------
for _name in ("quantile", "nanquantile", "percentile", "nanpercentile"):
    export_op("numpy", _name, input_names=("x", "q"))
for _name in ("median", "nanmedian", "corrcoef"):
    export_op("numpy", _name)


@keras_export("numpy")
def average(x, axis=None, weights=None):
    """The mean over `axis`, weighted by `weights` if given (x's shape, or that of the axes reduced).

    Integer input gives floatx(), as in Keras.
    """
    dtype = promoted_dtype(x) if weights is None else promoted_dtype(x, weights)
    if not is_inexact(dtype):
        dtype = config.floatx()
    if weights is None:
        return apply("mean", [cast(x, dtype)], axis=axis)
    return apply("average", [cast(x, dtype), cast(weights, dtype)], axis=axis)

