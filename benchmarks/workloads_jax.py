"""The benchmark workloads written by hand in jax.numpy/lax: for each, `init(rng) -> (params, state)`
and `apply(params, state, x, rng, training) -> (logits, new_state)`. The same layers as
workloads.py's Keras-API models (same shapes, same layer order); the loss reads logits.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from workloads import BN_CNN_FILTERS, TRANSFORMER


def _glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return jnp.asarray(rng.uniform(-limit, limit, size=shape).astype("float32"))


def _dense(rng, n_in, n_out):
    return {"w": _glorot(rng, (n_in, n_out), n_in, n_out), "b": jnp.zeros((n_out,), jnp.float32)}


def _conv(rng, k, c_in, c_out, bias=True):
    p = {"w": _glorot(rng, (k, k, c_in, c_out), k * k * c_in, k * k * c_out)}
    if bias:
        p["b"] = jnp.zeros((c_out,), jnp.float32)
    return p


def _linear(p, x):
    return x @ p["w"] + p["b"]


def _conv2d(p, x, padding="VALID"):
    y = lax.conv_general_dilated(x, p["w"], (1, 1), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return y + p["b"] if "b" in p else y


def _max_pool(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def _dropout(x, rate, rng, training):
    if not training:
        return x
    keep = jax.random.bernoulli(rng, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def _layer_norm(p, x, eps=1e-6):
    mean = jnp.mean(x, -1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), -1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + eps) * p["g"] + p["b"]


# -- mlp, wide, cnn ----------------------------------------------------------------------------
def mlp_init(rng):
    return {"d1": _dense(rng, 20, 64), "d2": _dense(rng, 64, 64), "d3": _dense(rng, 64, 10)}, {}


def mlp_apply(p, s, x, rng, training):
    r1, r2 = jax.random.split(rng)
    h = _dropout(jax.nn.relu(_linear(p["d1"], x)), 0.5, r1, training)
    h = _dropout(jax.nn.relu(_linear(p["d2"], h)), 0.5, r2, training)
    return _linear(p["d3"], h), s


def wide_init(rng):
    return {"d1": _dense(rng, 784, 1000), "d2": _dense(rng, 1000, 10)}, {}


def wide_apply(p, s, x, rng, training):
    return _linear(p["d2"], jax.nn.relu(_linear(p["d1"], x))), s


def cnn_init(rng):
    return {"c1": _conv(rng, 3, 1, 32), "c2": _conv(rng, 3, 32, 64), "d1": _dense(rng, 12 * 12 * 64, 128),
            "d2": _dense(rng, 128, 10)}, {}


def cnn_apply(p, s, x, rng, training):
    r1, r2 = jax.random.split(rng)
    h = jax.nn.relu(_conv2d(p["c2"], jax.nn.relu(_conv2d(p["c1"], x))))
    h = _dropout(_max_pool(h), 0.25, r1, training).reshape(x.shape[0], -1)
    h = _dropout(jax.nn.relu(_linear(p["d1"], h)), 0.5, r2, training)
    return _linear(p["d2"], h), s


# -- lstm ----------------------------------------------------------------------------------------
def lstm_init(rng):
    units = 32
    return {"emb": jnp.asarray(rng.uniform(-0.05, 0.05, (10000, 64)).astype("float32")),
            "k": _glorot(rng, (64, 4 * units), 64, 4 * units),
            "rk": _glorot(rng, (units, 4 * units), units, 4 * units),
            "b": jnp.zeros((4 * units,), jnp.float32), "out": _dense(rng, units, 1)}, {}


def lstm_apply(p, s, x, rng, training):
    seq = jnp.take(p["emb"], x.T, axis=0)          # time-major (T, B, 64)
    units = p["rk"].shape[0]

    def step(carry, x_t):
        h, c = carry
        z = x_t @ p["k"] + h @ p["rk"] + p["b"]
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), None

    zeros = jnp.zeros((x.shape[0], units), jnp.float32)
    (h, _), _ = lax.scan(step, (zeros, zeros), seq)
    return _linear(p["out"], h), s


# -- transformer ---------------------------------------------------------------------------------
def transformer_init(rng):
    c = TRANSFORMER
    d, heads = c["dim"], c["heads"]
    blocks = []
    for _ in range(c["blocks"]):
        attn = {n: _glorot(rng, (d, heads, d // heads), d, d) for n in ("q", "k", "v")}
        attn.update({f"{n}b": jnp.zeros((heads, d // heads), jnp.float32) for n in ("q", "k", "v")})
        attn["o"], attn["ob"] = _glorot(rng, (heads, d // heads, d), d, d), jnp.zeros((d,), jnp.float32)
        norm = lambda: {"g": jnp.ones((d,), jnp.float32), "b": jnp.zeros((d,), jnp.float32)}  # noqa: E731
        blocks.append({"attn": attn, "n1": norm(), "ff1": _dense(rng, d, c["ff"]), "ff2": _dense(rng, c["ff"], d),
                       "n2": norm()})
    emb = jnp.asarray(rng.uniform(-0.05, 0.05, (c["vocab"], d)).astype("float32"))
    return {"emb": emb, "blocks": blocks, "out": _dense(rng, d, 10)}, {}


def _attention(a, x):
    q = jnp.einsum("btd,dhk->bthk", x, a["q"]) + a["qb"]
    k = jnp.einsum("btd,dhk->bthk", x, a["k"]) + a["kb"]
    v = jnp.einsum("btd,dhk->bthk", x, a["v"]) + a["vb"]
    scores = jnp.einsum("bshk,bthk->bhst", q / np.sqrt(q.shape[-1]).astype("float32"), k)
    mixed = jnp.einsum("bhst,bthk->bshk", jax.nn.softmax(scores, -1), v)
    return jnp.einsum("bshk,hkd->bsd", mixed, a["o"]) + a["ob"]


def transformer_apply(p, s, x, rng, training):
    h = jnp.take(p["emb"], x, axis=0)
    for blk in p["blocks"]:
        h = _layer_norm(blk["n1"], h + _attention(blk["attn"], h))
        h = _layer_norm(blk["n2"], h + _linear(blk["ff2"], jax.nn.relu(_linear(blk["ff1"], h))))
    return _linear(p["out"], jnp.mean(h, axis=1)), s


# -- bn_cnn --------------------------------------------------------------------------------------
def bn_cnn_init(rng):
    params, state, c_in = {}, {}, 3
    for i, f in enumerate(BN_CNN_FILTERS):
        params[f"c{i}"] = _conv(rng, 3, c_in, f, bias=False)
        params[f"bn{i}"] = {"g": jnp.ones((f,), jnp.float32), "b": jnp.zeros((f,), jnp.float32)}
        state[f"bn{i}"] = {"mean": jnp.zeros((f,), jnp.float32), "var": jnp.ones((f,), jnp.float32)}
        c_in = f
    params["out"] = _dense(rng, c_in, 10)
    return params, state


def bn_cnn_apply(p, s, x, rng, training, momentum=0.99, eps=1e-3):
    new_state, h = {}, x
    for i in range(len(BN_CNN_FILTERS)):
        h = _conv2d(p[f"c{i}"], h, "SAME")
        stats = s[f"bn{i}"]
        if training:
            mean, var = jnp.mean(h, (0, 1, 2)), jnp.var(h, (0, 1, 2))
            new_state[f"bn{i}"] = {"mean": stats["mean"] * momentum + mean * (1 - momentum),
                                   "var": stats["var"] * momentum + var * (1 - momentum)}
        else:
            mean, var = stats["mean"], stats["var"]
            new_state[f"bn{i}"] = stats
        h = jax.nn.relu((h - mean) * lax.rsqrt(var + eps) * p[f"bn{i}"]["g"] + p[f"bn{i}"]["b"])
        if i < len(BN_CNN_FILTERS) - 1:
            h = _max_pool(h)
    return _linear(p["out"], jnp.mean(h, (1, 2))), new_state


def resnet_init(rng):
    raise NotImplementedError("no hand-written ResNet50 in workloads_jax.py")


resnet_apply = resnet_init


MODELS = {name: (globals()[f"{name}_init"], globals()[f"{name}_apply"])
          for name in ("mlp", "wide", "cnn", "lstm", "transformer", "bn_cnn", "resnet")}
