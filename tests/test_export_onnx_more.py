"""ONNX export of the attention, image and control-flow ops, and export after compile(optimize="none").

Each exported model runs in ONNX Runtime (CPU) and is compared with a reference written here: numpy
formulas (einsum, attention, adaptive pooling, scan loops) or plain jax.image.resize, never symk's own
lowering; export without the inference pipeline is compared with the optimized export."""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import jax  # noqa: E402

import symk  # noqa: E402
import symk.onnx  # noqa: E402
from symk import layers as L  # noqa: E402
from symk.onnx.registry import OnnxExportError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("symk_checkfiles",
                                               os.path.join(ROOT, "tools", "symk_write_checkfiles.py"))
CATALOG = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CATALOG)
RNG = np.random.RandomState(0)


def _run(proto, xs) -> list:
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {i.name: x for i, x in zip(session.get_inputs(), xs)})


def _lambda_model(fn, shapes, name="lambda_op"):
    inputs = [L.Input(shape=s) for s in shapes]
    out = L.Lambda(lambda ts: fn(*ts) if isinstance(ts, list) else fn(ts), name=name)(
        inputs if len(inputs) > 1 else inputs[0])
    return symk.Model(inputs, out)


def _data(*shapes):
    return [RNG.uniform(-1, 1, s).astype(np.float32) for s in shapes]


# -- einsum --------------------------------------------------------------------------------
@pytest.mark.parametrize("subscripts,shapes", [
    ("bij,jk->bik", [(3, 4), (4, 5)]),
    ("...ij,jk->...ik", [(2, 3, 4), (4, 2)]),
    ("abc->acb", [(3, 4)]),
    ("ab,ab->a", [(3,), (3,)]),
])
def test_einsum_matches_numpy(subscripts, shapes):
    inputs = [L.Input(shape=shapes[0])]
    weights = [RNG.uniform(-1, 1, s).astype(np.float32) for s in shapes[1:]]
    if subscripts == "ab,ab->a":   # two batched operands
        inputs.append(L.Input(shape=shapes[1]))
        weights = []
    out = L.Lambda(lambda ts: symk.ops.einsum(subscripts, *(ts if isinstance(ts, list) else [ts]),
                                              *[symk.ops.convert_to_tensor(w) for w in weights]))(
        inputs if len(inputs) > 1 else inputs[0])
    model = symk.Model(inputs, out)
    xs = _data(*[(2,) + tuple(i.shape[1:]) for i in inputs])
    (got,) = _run(symk.onnx.export_model(model), xs)
    np.testing.assert_allclose(got, np.einsum(subscripts, *xs, *weights), rtol=1e-5, atol=1e-6)


# -- dot_product_attention -----------------------------------------------------------------
def _attention_reference(q, k, v, bias=None, mask=None, scale=None, is_causal=False):
    heads, key_heads = q.shape[2], k.shape[2]
    k, v = np.repeat(k, heads // key_heads, axis=2), np.repeat(v, heads // key_heads, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, k) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if bias is not None:
        logits = logits + bias
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask.astype(bool)
    if is_causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -1e30)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", weights, v)


@pytest.mark.parametrize("key_heads,with_bias,with_mask,is_causal,scale", [
    (4, False, None, False, None), (2, True, None, True, 0.3), (1, False, "bool", False, None),
    (4, True, "bool", True, None), (2, False, "float_rank3", False, None),
])
def test_attention_matches_numpy(key_heads, with_bias, with_mask, is_causal, scale):
    q_shape, kv_shape = (5, 4, 3), (5, key_heads, 3)
    bias = RNG.uniform(-1, 1, (1, 4, 5, 5)).astype(np.float32) if with_bias else None
    mask = (RNG.uniform(0, 1, (1, 1, 5, 5)) > 0.3) if with_mask else None
    if mask is not None:
        mask[..., 0] = True   # every query keeps one key (a fully masked row is a uniform average in symk)
    given_mask = mask
    if with_mask == "float_rank3":   # numeric, nonzero keeps; Keras raises (1, T, S) to (1, 1, T, S)
        given_mask = mask[0].astype(np.float32) * 2.0

    def attend(q, k, v):
        return symk.ops.nn.dot_product_attention(
            q, k, v, bias=None if bias is None else symk.ops.convert_to_tensor(bias),
            mask=None if mask is None else symk.ops.convert_to_tensor(given_mask), scale=scale,
            is_causal=is_causal)

    model = _lambda_model(attend, [q_shape, kv_shape, kv_shape])
    xs = _data((3,) + q_shape, (3,) + kv_shape, (3,) + kv_shape)
    (got,) = _run(symk.onnx.export_model(model), xs)
    want = _attention_reference(*xs, bias=bias, mask=mask, scale=scale, is_causal=is_causal)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


# -- resize_images and adaptive_pool -----------------------------------------------------------
@pytest.mark.parametrize("interpolation,antialias,size", [
    ("bilinear", False, (10, 14)), ("bilinear", False, (4, 3)), ("bilinear", True, (4, 3)),
    ("bicubic", False, (11, 9)), ("bicubic", False, (4, 5)), ("bicubic", True, (3, 5)),
    ("nearest", False, (13, 5)), ("nearest", False, (3, 4)),
])
def test_resize_matches_jax_image_resize(interpolation, antialias, size):
    model = _lambda_model(lambda x: symk.ops.image.resize(x, size, interpolation=interpolation,
                                                          antialias=antialias), [(7, 8, 2)])
    (x,) = _data((2, 7, 8, 2))
    (got,) = _run(symk.onnx.export_model(model), [x])
    method = {"bilinear": "linear", "bicubic": "cubic", "nearest": "nearest"}[interpolation]
    want = jax.image.resize(x, (2, *size, 2), method=method, antialias=antialias)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("crop,pad,data_format", [(True, False, "channels_last"), (False, True, "channels_last"),
                                                  (True, False, "channels_first"), (False, True, "channels_first")])
def test_resize_to_aspect_ratio_matches_jax(crop, pad, data_format):
    shape = (9, 6, 2) if data_format == "channels_last" else (2, 9, 6)
    model = _lambda_model(lambda x: symk.ops.image.resize(x, (4, 4), crop_to_aspect_ratio=crop,
                                                          pad_to_aspect_ratio=pad, fill_value=0.5,
                                                          data_format=data_format), [shape])
    (x,) = _data((2,) + shape)
    (got,) = _run(symk.onnx.export_model(model), [x])
    # by hand: a 9x6 image to a square target crops rows 1..7 (6 of 9) or pads 1 column each side (9x8)
    cl = x if data_format == "channels_last" else x.transpose(0, 2, 3, 1)
    framed = cl[:, 1:7] if crop else np.pad(cl, ((0, 0), (0, 0), (1, 1), (0, 0)), constant_values=0.5)
    want = np.asarray(jax.image.resize(framed, (2, 4, 4, 2), method="linear", antialias=False))
    want = want if data_format == "channels_last" else want.transpose(0, 3, 1, 2)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
def test_resize_between_convolutions_agrees_with_onnxruntime(interpolation):
    # the Conv's layout Transposes next to the Resize: onnxruntime's transpose optimizer rewrites them at load
    inputs = L.Input(shape=(7, 8, 2))
    h = L.Resizing(4, 11, interpolation=interpolation)(L.Conv2D(3, 3, padding="same")(inputs))
    model = symk.Model(inputs, L.Conv2D(2, 1)(h))
    (x,) = _data((2, 7, 8, 2))
    (got,) = _run(symk.onnx.export_model(model), [x])
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-4, atol=1e-5)


def test_lanczos_resize_names_the_op_and_the_fix():
    model = _lambda_model(lambda x: symk.ops.image.resize(x, (4, 4), interpolation="lanczos3"), [(6, 6, 1)],
                          name="lanczos_resize")
    with pytest.raises(OnnxExportError, match=r"'resize_images' in 'lanczos_resize.*lanczos3.*use one of"):
        symk.onnx.export_model(model)


def _adaptive_reference(x, output_size, reduce):
    """PyTorch's and Keras's windows [floor(i L / n), ceil((i + 1) L / n)) on axes 1 and 2."""
    (n_h, n_w), (length_h, length_w) = output_size, x.shape[1:3]
    out = np.empty((x.shape[0], n_h, n_w, x.shape[3]), np.float32)
    for i in range(n_h):
        for j in range(n_w):
            rows = slice(i * length_h // n_h, -(-(i + 1) * length_h // n_h))
            cols = slice(j * length_w // n_w, -(-(j + 1) * length_w // n_w))
            out[:, i, j] = reduce(x[:, rows, cols], axis=(1, 2))
    return out


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_adaptive_pool_matches_numpy(kind):
    pool = symk.ops.nn.adaptive_max_pool if kind == "max" else symk.ops.nn.adaptive_average_pool
    model = _lambda_model(lambda x: pool(x, (3, 4)), [(7, 9, 2)])
    (x,) = _data((2, 7, 9, 2))
    (got,) = _run(symk.onnx.export_model(model), [x])
    np.testing.assert_allclose(got, _adaptive_reference(x, (3, 4), np.max if kind == "max" else np.mean),
                               rtol=1e-5, atol=1e-6)


# -- scan ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reverse", [False, True])
def test_scan_matches_a_numpy_loop(reverse):
    weight = RNG.uniform(-1, 1, (3,)).astype(np.float32)

    def running(x):   # x: (batch, time, 3) -> time-major scan; carry (batch, 3); ys (time, batch, 3)
        w = symk.ops.convert_to_tensor(weight)
        final, ys = symk.ops.scan(lambda c, xt: (c * w + xt, c - xt), symk.ops.zeros_like(x[:, 0]),
                                  symk.ops.transpose(x, (1, 0, 2)), reverse=reverse)
        return [final, symk.ops.transpose(ys, (1, 0, 2))]

    inputs = L.Input(shape=(4, 3))
    outputs = L.Lambda(running, name="running")(inputs)
    model = symk.Model(inputs, outputs)
    (x,) = _data((2, 4, 3))
    final, ys = _run(symk.onnx.export_model(model), [x])
    carry, want_ys = np.zeros((2, 3), np.float32), np.zeros((2, 4, 3), np.float32)
    for t in (reversed(range(4)) if reverse else range(4)):
        carry, want_ys[:, t] = carry * weight + x[:, t], carry - x[:, t]
    np.testing.assert_allclose(final, carry, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ys, want_ys, rtol=1e-5, atol=1e-6)
    assert any(n.op_type == "Scan" for n in onnx.load_from_string(
        symk.onnx.export_model(model).SerializeToString()).graph.node)


# -- export without the inference pipeline ------------------------------------------------------
def _catalog_case(name):
    model, specs = CATALOG.PREDICTION_CASES[name]()
    rng = CATALOG._rng(name)
    CATALOG._randomize(model, rng)
    return model, CATALOG._inputs(specs, rng, n=3)


@pytest.mark.parametrize("name", sorted(CATALOG.PREDICTION_CASES))
def test_export_after_optimize_none_equals_the_optimized_export(name):
    model, xs = _catalog_case(name)
    optimized = _run(symk.onnx.export_model(model), xs)
    model.compile(optimize="none")
    proto = symk.onnx.export_model(model)
    unoptimized = _run(proto, xs)
    want = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    want = want if isinstance(want, list) else [want]
    assert len(unoptimized) == len(optimized) == len(want)
    for got, ref, pred in zip(unoptimized, optimized, want):
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got, pred, rtol=1e-4, atol=1e-5)
    # the weights (variable reads) are initializers under their variable paths; no random op remains
    paths = {v.path for v in model.weights}
    assert {i.name for i in proto.graph.initializer if "/" in i.name} <= paths
    assert not {"RandomUniform", "RandomNormal", "Bernoulli"} & {n.op_type for n in proto.graph.node}


def test_unoptimized_batch_norm_exports_its_inference_branch():
    model, xs = _catalog_case("batchnorm")
    model.compile(optimize="none")
    graph = model._execution_graph(False)
    ops = {graph.op(n) for n in graph.nx.nodes}
    assert {"training_select", "var", "assign"} <= ops          # nothing of the inference pipeline ran
    proto = symk.onnx.export_model(model)
    initializers = {i.name for i in proto.graph.initializer}
    assert {"batch_normalization/moving_mean", "batch_normalization/moving_variance"} <= initializers
    # batch statistics (a mean over the batch axis) belong to the training branch only
    assert not [n for n in proto.graph.node if n.op_type == "ReduceMean" and "batch_normalization" in n.name]
    moving_mean = model.get_layer("batch_normalization").moving_mean.numpy()
    assert np.allclose(onnx.numpy_helper.to_array(next(i for i in proto.graph.initializer
                                                       if i.name == "batch_normalization/moving_mean")), moving_mean)


def test_scan_without_sequences_runs_length_steps():
    def doubling(x):
        final, ys = symk.ops.scan(lambda c, _: (c * 2.0, c + 1.0), x, None, length=3)
        return [final, symk.ops.transpose(ys, (1, 0, 2))]

    inputs = L.Input(shape=(2,))
    model = symk.Model(inputs, L.Lambda(doubling, name="doubling")(inputs))
    (x,) = _data((2, 2))
    final, ys = _run(symk.onnx.export_model(model), [x])
    np.testing.assert_allclose(final, x * 8, rtol=1e-6)
    np.testing.assert_allclose(ys, np.stack([x + 1, 2 * x + 1, 4 * x + 1], axis=1), rtol=1e-6)
