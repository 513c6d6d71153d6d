"""ONNX import, losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (with class weights,
ignore_index and the none / sum / mean reductions; mean divides by the summed weights of counted targets).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import


def nll(node, log_probs, target, weight):
    dtype = str(log_probs.dtype)
    ignore = node.attr("ignore_index", None)
    target = ops.cast(target, "int32")
    keep = None
    if ignore is not None:
        keep = ops.not_equal(target, np.int32(ignore))
        target = ops.where(keep, target, ops.zeros_like(target))
    picked = ops.squeeze(ops.take_along_axis(log_probs, ops.expand_dims(target, 1), axis=1), axis=1)
    w = ops.take(weight, target, axis=0) if weight is not None else ops.ones_like(picked)
    if keep is not None:
        w = ops.where(keep, w, ops.zeros_like(w))
    loss = ops.negative(ops.multiply(picked, w))
    reduction = node.attr("reduction", "mean")
    if reduction == "none":
        return loss
    if reduction == "sum":
        return ops.sum(loss)
    return ops.divide(ops.sum(loss), ops.sum(ops.cast(w, dtype)))


@def_import("NegativeLogLikelihoodLoss")
def _nll(node):
    return nll(node, node.input(0), node.input(1), node.input(2))


@def_import("SoftmaxCrossEntropyLoss")
def _softmax_cross_entropy(node):
    scores = node.input(0)
    log_probs = ops.log_softmax(scores, axis=1)
    loss = nll(node, log_probs, node.input(1), node.input(2))
    return [loss, log_probs][:node.num_outputs] if len(shape_of(scores)) else loss
