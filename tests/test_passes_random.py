"""Property tests: random graphs and random models keep their outputs through every pass and pipeline
(float32 tolerance rtol=1e-4, atol=1e-5: folding reorders a few roundings), and a second run changes nothing."""
import numpy as np
from hypothesis import given, settings, strategies as st

import symk
from symk.ops.registry import apply, constant
from symk.passes import PASSES, run_pipeline, subject_of
from symk.variables import Variable

from passes_helpers import run_subject, run_with_state

UNARY = ["tanh", "relu", "sigmoid", "negative", "identity", "square"]
STEPS = st.lists(st.tuples(st.sampled_from(["unary", "binary", "neutral", "transpose2", "reshape2", "cast",
                                            "concat1", "dropout", "select", "dense", "bn", "dup", "logsoftmax",
                                            "const", "linear2"]),
                           st.integers(0, 1000), st.sampled_from(UNARY)), min_size=1, max_size=12)


def build_random_graph(steps, seed):
    """A graph on a (4, 4) placeholder from a list of drawn steps; returns (x, outputs)."""
    rng = np.random.default_rng(seed)
    x = symk.backend.placeholder(shape=(4, 4))
    pool = [x]

    def param(shape, positive=False):
        value = rng.uniform(0.5, 1.5, shape) if positive else rng.normal(size=shape) * 0.5
        return Variable(value.astype("float32"), path="w")

    for kind, pick, unary in steps:
        a, b = pool[pick % len(pool)], pool[(pick // 7) % len(pool)]
        if kind == "unary":
            t = apply(unary, [a])
        elif kind == "binary":
            t = apply(["add", "multiply", "subtract"][pick % 3], [a, b])
        elif kind == "neutral":
            t = a * 1.0 + 0.0
        elif kind == "transpose2":
            t = apply("transpose", [apply("transpose", [a], axes=(1, 0))], axes=(1, 0))
        elif kind == "reshape2":
            t = apply("reshape", [apply("reshape", [a], shape=(16,))], shape=(4, 4))
        elif kind == "cast":
            t = apply("cast", [a], dtype="float32")
        elif kind == "concat1":
            t = apply("concatenate", [a], axis=0)
        elif kind == "dropout":
            t = apply("dropout", [a], rate=0.25)
        elif kind == "select":
            t = apply("training_select", [apply(unary, [a]), b])
        elif kind == "dense":
            t = apply(unary, [apply("bias_add", [apply("matmul", [a, param((4, 4))]), param((4,))])])
        elif kind == "bn":
            z = apply("bias_add", [apply("matmul", [a, param((4, 4))]), param((4,))])
            t = apply("batch_norm", [z, param((4,)), param((4,), True), param((4,)), param((4,))],
                      axis=-1, epsilon=1e-3)
        elif kind == "dup":
            t = apply(unary, [a]) + apply(unary, [a])
        elif kind == "linear2":  # two Dense layers without an activation: merge_linear's pattern
            z = apply("bias_add", [apply("matmul", [a, param((4, 4))]), param((4,))])
            t = apply("bias_add", [apply("matmul", [z, param((4, 4))]), param((4,))])
        elif kind == "logsoftmax":
            t = apply("log", [apply("softmax", [a])])
        else:
            t = a * apply("exp", [constant(np.float32(pick % 3) * 0.1, graph=x.graph)])
        pool.append(t)
    outputs = [pool[-1]] + ([pool[len(pool) // 2]] if len(pool) > 2 else [])
    return x, [(t.node, t.index) for t in outputs]


@settings(max_examples=30)
@given(steps=STEPS, seed=st.integers(0, 2**16), mode=st.sampled_from(["inference", "training"]),
       setting=st.sampled_from(["default", {"enable": ["fuse_elementwise"]}]))
def test_default_pipeline_preserves_outputs_and_is_idempotent(steps, seed, mode, setting):
    x, outputs = build_random_graph(steps, seed)
    subject = subject_of(x.graph, outputs, [x.node], mode=mode)
    data = np.random.default_rng(seed).normal(size=(4, 4)).astype("float32")
    optimized, _ = run_pipeline(subject, setting)
    training = mode == "training"
    for got, want in zip(run_subject(optimized, [data], training), run_subject(subject, [data], training)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    _, again = run_pipeline(optimized, setting)
    assert not any(r.changed for r in again.passes)


@settings(max_examples=20)
@given(steps=STEPS, seed=st.integers(0, 2**16), name=st.sampled_from(sorted(PASSES)))
def test_every_single_pass_preserves_outputs(steps, seed, name):
    if name.startswith("test_"):
        return
    x, outputs = build_random_graph(steps, seed)
    subject = subject_of(x.graph, outputs, [x.node], mode="inference")
    data = np.random.default_rng(seed).normal(size=(4, 4)).astype("float32")
    optimized, _ = run_pipeline(subject, [name])
    for got, want in zip(run_subject(optimized, [data]), run_subject(subject, [data])):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@settings(max_examples=10)
@given(widths=st.lists(st.integers(1, 6), min_size=1, max_size=3), bn=st.booleans(), dropout=st.booleans(),
       activation=st.sampled_from(["relu", "tanh", None]), seed=st.integers(0, 1000))
def test_random_models_predict_the_same_with_and_without_passes(widths, bn, dropout, activation, seed):
    x = symk.Input(shape=(5,))
    h = x
    for w in widths:
        h = symk.layers.Dense(w, activation=activation)(h)
        if bn:
            h = symk.layers.BatchNormalization()(h)
        if dropout:
            h = symk.layers.Dropout(0.5)(h)
    model = symk.Model(x, h)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in w.path
                       else rng.normal(size=w.shape).astype("float32") for w in model._ordered_weights()])
    data = rng.normal(size=(3, 5)).astype("float32")
    optimized = model.predict(data)
    model._optimize = "none"
    np.testing.assert_allclose(optimized, model.predict(data), rtol=1e-4, atol=1e-4)


def test_training_pipeline_keeps_state_updates_and_values():
    x = symk.Input(shape=(3,))
    y = symk.layers.BatchNormalization()(symk.layers.Dense(4)(x))
    model = symk.Model(x, y)
    subject = symk.passes.Subject(model.graph, model._input_nodes, model._output_refs, "training")
    optimized, _ = run_pipeline(subject, "default")
    data = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
    (got,), got_state = run_with_state(optimized, [data])
    (want,), want_state = run_with_state(subject, [data])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert sorted(got_state) == sorted(want_state) and len(got_state) == 2
    for k in want_state:
        np.testing.assert_allclose(got_state[k], want_state[k], rtol=1e-5, atol=1e-6)
