"""symk.shapes: TensorShape, TensorSpec, broadcasting with unknown dims, conv/deconv arithmetic (checked by hypothesis)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from symk.errors import RuleViolation
from symk.shapes import (TensorShape, TensorSpec, as_shape, broadcast_shapes, canonical_dtype,
                         conv_output_length, deconv_output_length)


def test_tensor_shape_behaves_like_old_tf_shapes():
    shape = as_shape([None, 3, 4])
    assert shape == (None, 3, 4) and shape.as_list() == [None, 3, 4]
    assert shape.rank == shape.ndims == 3
    assert not shape.is_fully_defined() and shape.num_elements() is None
    assert TensorShape((2, 3)).num_elements() == 6


def test_canonical_dtypes_follow_jax_without_x64():
    assert canonical_dtype(None) == "float32"
    assert canonical_dtype("float64") == "float32" and canonical_dtype(np.int64) == "int32"
    assert canonical_dtype("bool") == "bool" and canonical_dtype(np.dtype("float16")) == "float16"
    assert TensorSpec.of([1, None], "float64") == TensorSpec(TensorShape((1, None)), "float32")


@given(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4))
def test_broadcast_matches_numpy(shapes):
    assert tuple(broadcast_shapes(*shapes.input_shapes)) == shapes.result_shape


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, min_side=2), st.data())
def test_unknown_dims_broadcast_to_the_known_size(shapes, data):
    a, b = shapes.input_shapes
    if not a:
        return
    i = data.draw(st.integers(0, len(a) - 1))
    hidden = a[:i] + (None,) + a[i + 1:]
    result = broadcast_shapes(hidden, b)
    full = shapes.result_shape
    assert all(r is None or r == f for r, f in zip(result, full))


def test_incompatible_broadcast_refuses_with_a_hint():
    with pytest.raises(RuleViolation) as info:
        broadcast_shapes((2, 3), (4,))
    assert "(2, 3), (4,)" in info.value.rule and info.value.hint


@given(st.integers(1, 40), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.sampled_from(["valid", "same"]))
def test_conv_output_length_matches_direct_window_counting(length, kernel, stride, dilation, padding):
    effective = dilation * (kernel - 1) + 1
    if padding == "valid":
        expected = len(range(0, length - effective + 1, stride))
    else:
        expected = len(range(0, length, stride))
    if expected < 1:
        with pytest.raises(RuleViolation):
            conv_output_length(length, kernel, padding, stride, dilation)
    else:
        assert conv_output_length(length, kernel, padding, stride, dilation) == expected
    assert conv_output_length(None, kernel, padding, stride, dilation) is None


@given(st.integers(1, 20), st.integers(1, 5), st.integers(1, 4), st.sampled_from(["valid", "same"]))
def test_deconv_inverts_conv_lengths(length, kernel, stride, padding):
    out = deconv_output_length(length, kernel, padding, stride)
    # Keras: 'same' gives length * stride; 'valid' gives length * stride + max(kernel - stride, 0)
    assert out == (length * stride if padding == "same" else length * stride + max(kernel - stride, 0))
    if out >= kernel:
        assert conv_output_length(out, kernel, padding, stride) == length
