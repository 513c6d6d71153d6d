"""The cast_pairs pass: outputs equal before and after on random cast chains (numpy/ml_dtypes casts as the
reference), no-op casts and exact round trips gone, lossy steps (float32 -> bfloat16 -> float32) kept."""
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import symk
from symk.ops.registry import apply
from symk.passes import run_pass, run_pipeline, subject_of
from symk.passes.cast_pairs import is_exact_cast

from passes_helpers import run_subject

DTYPES = ["float32", "float16", "bfloat16", "int32", "int8", "uint8", "bool"]
NUMPY = {"bfloat16": ml_dtypes.bfloat16}


def np_dtype(name):
    return NUMPY.get(name, np.dtype(name))


def chain(source: str, steps: list):
    x = symk.Input((5,), dtype=source)
    y = x
    for dtype in steps:
        y = apply("cast", [y], dtype=dtype)
    return x, y


def run_cast_pairs(x, y):
    subject = subject_of(x.graph, [(y.node, 0)], [x.node])
    after, report = run_pipeline(subject, {"passes": ["cast_pairs"], "fixpoint": True})
    return subject, after, report


def casts(subject):
    return [subject.nx.nodes[n]["specs"][0].dtype for n in subject.graph.topological_order()
            if subject.nx.nodes[n]["op"] == "cast"]


def values(dtype):
    # NOTE: non-negative and small, so every cast (to uint8 and int8 included) is in range and defined
    base = np.array([0.0, 0.5, 1.0, 3.75, 7.0], "float32")
    return base > 0 if dtype == "bool" else base.astype(np_dtype(dtype))


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(DTYPES), st.lists(st.sampled_from(DTYPES), min_size=1, max_size=4))
def test_outputs_equal_before_and_after(source, steps):
    x, y = chain(source, steps)
    subject, after, _ = run_cast_pairs(x, y)
    data = values(source)
    before_out = run_subject(subject, [data])[0]
    after_out = run_subject(after, [data])[0]
    np.testing.assert_array_equal(after_out, before_out)
    assert str(after_out.dtype) == steps[-1]
    assert len(casts(after)) <= len(casts(subject))
    # the reference: numpy's casts step by step
    reference = data
    for dtype in steps:
        reference = reference.astype(np_dtype(dtype))
    np.testing.assert_array_equal(after_out, reference)


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(DTYPES))
def test_cast_to_own_dtype_is_gone(dtype):
    x, y = chain(dtype, [dtype, dtype])
    _, after, report = run_cast_pairs(x, y)
    assert casts(after) == [] and report.passes[0].matched >= 1


@pytest.mark.parametrize("source, steps, left", [
    ("bfloat16", ["float32", "bfloat16"], []),                    # exact round trip: identity
    ("float16", ["float32", "float32", "float16"], []),
    ("float16", ["float32", "bfloat16"], ["bfloat16"]),           # one cast instead of two
    ("float32", ["bfloat16", "float32"], ["bfloat16", "float32"]),  # rounds: kept
    ("float32", ["float16", "float32"], ["float16", "float32"]),
    ("int8", ["int32", "float32"], ["float32"]),
    ("float16", ["float32", "int32"], ["float32", "int32"]),      # float -> int out of range: kept
])
def test_which_chains_collapse(source, steps, left):
    x, y = chain(source, steps)
    _, after, _ = run_cast_pairs(x, y)
    assert casts(after) == left


def test_exactness_table():
    assert is_exact_cast("bfloat16", "float32") and is_exact_cast("float16", "float32")
    assert is_exact_cast("int8", "bfloat16") and is_exact_cast("bool", "float16")
    assert not is_exact_cast("float32", "bfloat16") and not is_exact_cast("float16", "bfloat16")
    assert not is_exact_cast("bfloat16", "float16") and not is_exact_cast("int32", "float32")


def test_mixed_precision_model_loses_its_redundant_casts():
    """Two float32-policy layers after a bf16 layer: the second one's input cast is a no-op; the report says so."""
    inputs = symk.Input((4,))
    h = symk.layers.Dense(3, dtype="mixed_bfloat16", name="low")(inputs)
    up = symk.layers.Activation("linear", dtype="float32", name="up")(h)
    down = symk.layers.Activation("linear", dtype="mixed_bfloat16", name="down")(up)
    model = symk.Model(inputs, down)
    graph, report = run_pass("cast_pairs", model._graph, outputs=[(down.node, 0)], inputs=[inputs.node])
    x = np.random.RandomState(0).normal(size=(2, 4)).astype("float32")
    before = subject_of(model._graph, [(down.node, 0)], [inputs.node])
    after = subject_of(graph, [(down.node, 0)], [inputs.node])
    np.testing.assert_array_equal(run_subject(after, [x])[0], run_subject(before, [x])[0])
    assert report.matched == 1  # bf16 -> float32 (up) -> bf16 (down) is the identity
    assert len(casts(after)) == len(casts(before)) - 2
