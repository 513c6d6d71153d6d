"""ONNX import, training-mode operators: Dropout and BatchNormalization with training_mode=1 (reached from
their mappings in import_ops_tensor.py and import_ops_nn.py), and the optimizer steps of the
ai.onnx.preview.training domain (Adagrad, Momentum, Adam), as ONNX's operator documents define them.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import


# -- Dropout in training mode ---------------------------------------------------------------------------------
def training_dropout(node):
    """Dropout with training_mode=True and a seed: the mask is drawn at import time from numpy's RandomState(seed)
    (uniform draws >= ratio kept, as ONNX's reference implementation draws it), so a seed gives one fixed mask.
    NOTE: a fixed mask is what a seed means here; without a seed the import refuses (a fresh mask per run would
    need the training flag that symk's own dropout reads, and imported graphs run in inference)."""
    x = node.input(0)
    ratio = float(np.asarray(node.static(1)).reshape(-1)[0]) if node.has_input(1) else 0.5
    want_mask = node.num_outputs > 1 and bool(node.output_names[1])
    if not 0 <= ratio < 1:
        raise node.fail(f"Dropout ratio must be in [0, 1), got {ratio}")
    if ratio == 0:
        mask = np.ones(shape_of(x), bool)
        return [x, mask] if want_mask else x
    if "seed" not in node.attrs:
        raise node.fail("Dropout with training_mode=True needs a seed attribute here: symk imports inference graphs, "
                        "and draws a seeded mask once, at import time")
    if any(d is None for d in shape_of(x)):
        raise node.fail(f"Dropout in training mode needs the input's shape known, got {shape_of(x)}")
    mask = np.random.RandomState(int(node.attr("seed"))).uniform(0, 1.0, shape_of(x)) >= ratio
    scale = np.asarray(1.0 / (1.0 - ratio), dtype=str(x.dtype))
    y = ops.multiply(ops.multiply(x, mask.astype(str(x.dtype))), scale)
    return [y, mask] if want_mask else y


# -- ai.onnx.preview.training: one optimizer step, as ONNX's training operators define it ----------------------
def _optimizer_groups(node, per_tensor: int) -> tuple:
    """(R, T, groups): the learning rate, the step count and the inputs as `per_tensor` lists of n tensors."""
    rest = node.inputs[2:]
    if len(rest) % per_tensor:
        raise node.fail(f"{node.op_type} takes R, T and {per_tensor} inputs per optimized tensor; got {len(rest)}")
    n = len(rest) // per_tensor
    return node.input(0), node.input(1), [rest[k * n:(k + 1) * n] for k in range(per_tensor)]


def _like(value, x):
    return ops.cast(ops.reshape(value, ()), str(x.dtype))


@def_import("ai.onnx.preview.training:Adagrad")
def _adagrad(node):
    rate, step, (xs, gs, hs) = _optimizer_groups(node, 3)
    decay, eps, norm = node.attr("decay_factor", 0.0), node.attr("epsilon", 0.0), node.attr("norm_coefficient", 0.0)
    new_x, new_h = [], []
    for x, g, h in zip(xs, gs, hs):
        r = ops.divide(_like(rate, x), ops.add(np.float32(1), ops.multiply(_like(step, x), np.float32(decay))))
        g_reg = ops.add(ops.multiply(np.float32(norm), x), g)
        h_next = ops.add(h, ops.square(g_reg))
        new_h.append(h_next)
        new_x.append(ops.subtract(x, ops.divide(ops.multiply(r, g_reg), ops.add(ops.sqrt(h_next), np.float32(eps)))))
    return new_x + new_h


@def_import("ai.onnx.preview.training:Momentum")
def _momentum(node):
    rate, step, (xs, gs, vs) = _optimizer_groups(node, 3)
    alpha, beta, norm = node.attr("alpha"), node.attr("beta"), node.attr("norm_coefficient")
    mode = node.attr("mode", "standard")
    if mode not in ("standard", "nesterov"):
        raise node.fail(f"unknown Momentum mode {mode!r}; ONNX defines 'standard' and 'nesterov'")
    new_x, new_v = [], []
    for x, g, v in zip(xs, gs, vs):
        g_reg = ops.add(ops.multiply(np.float32(norm), x), g)
        beta_now = ops.where(ops.greater(_like(step, x), np.float32(0)), np.float32(beta), np.float32(1))
        v_next = ops.add(ops.multiply(np.float32(alpha), v), ops.multiply(beta_now, g_reg))
        move = v_next if mode == "standard" else ops.add(g_reg, ops.multiply(np.float32(alpha), v_next))
        new_x.append(ops.subtract(x, ops.multiply(_like(rate, x), move)))
        new_v.append(v_next)
    return new_x + new_v


@def_import("ai.onnx.preview.training:Adam")
def _adam(node):
    rate, step, (xs, gs, vs, hs) = _optimizer_groups(node, 4)
    alpha, beta = node.attr("alpha", 0.9), node.attr("beta", 0.999)
    eps, norm, post = node.attr("epsilon", 1e-6), node.attr("norm_coefficient", 0.0), node.attr(
        "norm_coefficient_post", 0.0)
    new_x, new_v, new_h = [], [], []
    for x, g, v, h in zip(xs, gs, vs, hs):
        t = _like(step, x)
        g_reg = ops.add(ops.multiply(np.float32(norm), x), g)
        v_next = ops.add(ops.multiply(np.float32(alpha), v), ops.multiply(np.float32(1 - alpha), g_reg))
        h_next = ops.add(ops.multiply(np.float32(beta), h), ops.multiply(np.float32(1 - beta), ops.square(g_reg)))
        corrected = ops.divide(ops.sqrt(ops.subtract(np.float32(1), ops.power(np.float32(beta), t))),
                               ops.subtract(np.float32(1), ops.power(np.float32(alpha), t)))
        r = ops.multiply(_like(rate, x), ops.where(ops.greater(t, np.float32(0)), corrected, np.float32(1)))
        x_next = ops.subtract(x, ops.multiply(r, ops.divide(v_next, ops.add(ops.sqrt(h_next), np.float32(eps)))))
        new_x.append(ops.multiply(np.float32(1 - post), x_next))
        new_v.append(v_next)
        new_h.append(h_next)
    return new_x + new_v + new_h


# -- BatchNormalization in training mode ----------------------------------------------------------------------
def training_batch_norm(node):
    """Normalized by the batch's own statistics (mean and population variance over every axis but the channels),
    with the running statistics updated by momentum as further outputs: running * momentum + batch * (1 - momentum)."""
    from .import_ops_nn import channel_bias

    x, scale, bias, mean, var = (node.input(i) for i in range(5))
    rank = len(shape_of(x))
    axes = tuple(a for a in range(rank) if a != 1)
    dtype = str(x.dtype)
    eps = np.asarray(node.attr("epsilon", 1e-5), dtype=dtype)
    momentum = np.asarray(node.attr("momentum", 0.9), dtype=dtype)
    batch_mean = ops.mean(x, axis=axes)
    batch_var = ops.mean(ops.square(ops.subtract(x, channel_bias(batch_mean, rank))), axis=axes)
    inv = ops.multiply(scale, ops.rsqrt(ops.add(batch_var, eps)))
    y = ops.add(ops.multiply(ops.subtract(x, channel_bias(batch_mean, rank)), channel_bias(inv, rank)),
                channel_bias(bias, rank))
    keep = np.asarray(1, dtype=dtype) - momentum
    running_mean = ops.add(ops.multiply(mean, momentum), ops.multiply(batch_mean, keep))
    running_var = ops.add(ops.multiply(var, momentum), ops.multiply(batch_var, keep))
    return [y, running_mean, running_var][:node.num_outputs]
