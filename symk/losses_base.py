"""The Loss base class and Keras's reduction of per-sample values (weights, masks, reductions).

    class MyLoss(Loss):
        def call(self, y_true, y_pred):
            return jnp.mean(jnp.square(y_pred - y_true), axis=-1)
"""
from __future__ import annotations

import re

import jax.numpy as jnp
import numpy as np

EPSILON = 1e-7
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None, "auto")


def keras_snake_case(name: str) -> str:
    """Keras's default object name for a class name ('KLDivergence' -> 'kl_divergence', 'IoU' -> 'io_u')."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def floats(y_true, y_pred):
    """(y_true, y_pred) as arrays of y_pred's float dtype (float32 for integer predictions)."""
    y_pred = jnp.asarray(y_pred)
    y_pred = y_pred if jnp.issubdtype(y_pred.dtype, jnp.floating) else y_pred.astype(jnp.float32)
    return jnp.asarray(y_true).astype(y_pred.dtype), y_pred


def _match_rank(weight, values):
    while weight.ndim > values.ndim and weight.shape[-1] == 1:
        weight = weight[..., 0]
    while weight.ndim < values.ndim:
        weight = weight[..., None]
    return weight


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size", mask=None):
    """Keras's reduction: weights multiply per-sample values; 'sum_over_batch_size' divides
    by the number of values (not by the sum of the weights). A mask (from a loss that marks
    some values invalid) rescales valid entries by total / valid for the mean reductions, so
    the mean runs over the valid values only."""
    values = jnp.asarray(values)
    if mask is not None:
        mask = jnp.asarray(mask, bool)
        if reduction in ("mean", "sum_over_batch_size", "auto"):
            valid = jnp.sum(mask.astype(values.dtype))
            scale = jnp.where(valid > 0, mask.size / jnp.where(valid > 0, valid, 1.0), 0.0)
            mask_weight = jnp.where(mask, scale, 0.0).astype(values.dtype)
        else:
            mask_weight = mask.astype(values.dtype)
        sample_weight = mask_weight if sample_weight is None else \
            _match_rank(jnp.asarray(sample_weight, values.dtype), mask_weight) * mask_weight
    if sample_weight is not None:
        sample_weight = _match_rank(jnp.asarray(sample_weight, values.dtype), values)
        values = values * sample_weight
    if reduction in ("none", None) or values.ndim == 0:
        return values
    total = jnp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(jnp.broadcast_to(sample_weight, values.shape))
        return jnp.where(divisor != 0, total / jnp.where(divisor != 0, divisor, 1.0), 0.0)
    return total / max(values.size, 1)


def squeeze_or_expand_to_same_rank(y_true, y_pred, expand_rank_1: bool = True):
    """Keras's rule before a loss compares targets with predictions: when the ranks differ by one and the
    longer one ends in a size-1 axis, that axis goes (or, for a rank-1 partner, the partner gains one), so
    labels (n,) against predictions (n, 1) are compared row by row, not broadcast to (n, n)."""
    y_true = y_true if hasattr(y_true, "shape") else np.asarray(y_true)
    y_pred = y_pred if hasattr(y_pred, "shape") else np.asarray(y_pred)
    true_rank, pred_rank = len(y_true.shape), len(y_pred.shape)
    if true_rank == pred_rank + 1 and y_true.shape[-1] == 1:
        if pred_rank == 1 and expand_rank_1:
            y_pred = y_pred[..., None]
        else:
            y_true = y_true[..., 0]
    if pred_rank == true_rank + 1 and y_pred.shape[-1] == 1:
        if true_rank == 1 and expand_rank_1:
            y_true = y_true[..., None]
        else:
            y_pred = y_pred[..., 0]
    return y_true, y_pred


class Loss:
    """Base class: subclasses implement `call(y_true, y_pred)` -> one value per sample."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Loss {type(self).__name__}: unknown reduction {reduction!r}; use one of "
                             f"{[r for r in REDUCTIONS if r]}")
        self.name = name or keras_snake_case(type(self).__name__)
        self.reduction = "sum_over_batch_size" if reduction == "auto" else reduction

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def call_with_mask(self, y_true, y_pred):
        """(per-sample values, mask or None): losses that drop some values from the mean (Circle) return a mask."""
        return self.call(y_true, y_pred), None

    def __call__(self, y_true, y_pred, sample_weight=None):
        values, mask = self.call_with_mask(y_true, y_pred)
        return reduce_values(values, sample_weight, self.reduction, mask=mask)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss around a per-sample function and its keyword arguments."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **fn_kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction)
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self.fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def wrapper_class(class_name, fn, default_name, order=None, check=None, **defaults):
    """A Keras loss class over `fn`: constructor arguments `defaults` plus reduction, name and
    dtype, taken by position in `order` (Keras's signature; default: reduction, name, dtype);
    its config holds exactly those arguments. `check(kwargs)` validates them first."""
    order = tuple(order or ("reduction", "name", "dtype"))
    accepted = set(defaults) | {"reduction", "name", "dtype"}

    def __init__(self, *args, **kwargs):
        if len(args) > len(order):
            raise TypeError(f"{class_name} takes at most {len(order)} positional arguments ({', '.join(order)}); "
                            f"got {len(args)}")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"{class_name} got multiple values for argument {key!r}")
            kwargs[key] = value
        unknown = set(kwargs) - accepted
        if unknown:
            raise TypeError(f"{class_name} got unexpected argument(s) {sorted(unknown)}; it accepts "
                            f"{sorted(accepted)}")
        reduction = kwargs.pop("reduction", "sum_over_batch_size")
        name = kwargs.pop("name", default_name)
        kwargs.pop("dtype", None)
        merged = {**defaults, **kwargs}
        if check is not None:
            check(merged)
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, **merged)

    return type(class_name, (LossFunctionWrapper,), {"__init__": __init__, "__doc__": f"Keras's {class_name} loss."})
