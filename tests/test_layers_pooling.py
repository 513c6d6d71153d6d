"""Pooling layers: the layer harness, numerics against numpy loops (both paddings, strides, data
formats; 'same' averages count real elements only), global pooling with keepdims and masks."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conv_reference as ref
import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

RNG = np.random.default_rng(3)

EXAMPLES = [
    layer_example("max1d", lambda: L.MaxPooling1D(2), (2, 7, 3)),
    layer_example("avg1d_same", lambda: L.AveragePooling1D(3, strides=2, padding="same"), (2, 7, 3)),
    layer_example("max2d_first", lambda: L.MaxPooling2D((2, 3), data_format="channels_first"), (2, 3, 6, 6)),
    layer_example("avg2d", lambda: L.AveragePooling2D(), (2, 4, 5, 2)),
    layer_example("max3d", lambda: L.MaxPooling3D(2, padding="same"), (1, 3, 4, 5, 2)),
    layer_example("avg3d", lambda: L.AveragePooling3D((1, 2, 2)), (1, 2, 4, 4, 2)),
    layer_example("gmax1d", lambda: L.GlobalMaxPooling1D(), (2, 5, 3)),
    layer_example("gavg1d_keep", lambda: L.GlobalAveragePooling1D(keepdims=True), (2, 5, 3)),
    layer_example("gmax2d_first", lambda: L.GlobalMaxPooling2D(data_format="channels_first"), (2, 3, 4, 4)),
    layer_example("gavg2d", lambda: L.GlobalAveragePooling2D(), (2, 4, 4, 3)),
    layer_example("gavg3d_keep", lambda: L.GlobalAveragePooling3D(keepdims=True), (1, 2, 3, 3, 2)),
    layer_example("gmax3d", lambda: L.GlobalMaxPooling3D(), (1, 2, 3, 3, 2)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


@settings(max_examples=20)
@given(rank=st.integers(1, 3), kind=st.sampled_from(["max", "avg"]), padding=st.sampled_from(["valid", "same"]),
       pool=st.integers(1, 3), stride=st.none() | st.integers(1, 3), channels_first=st.booleans(),
       size=st.integers(3, 5))
def test_pooling_matches_numpy(rank, kind, padding, pool, stride, channels_first, size):
    cls = {("max", 1): L.MaxPooling1D, ("max", 2): L.MaxPooling2D, ("max", 3): L.MaxPooling3D,
           ("avg", 1): L.AveragePooling1D, ("avg", 2): L.AveragePooling2D, ("avg", 3): L.AveragePooling3D}[kind, rank]
    x = RNG.normal(size=(2,) + (size,) * rank + (2,)).astype("float32")
    data_format = "channels_first" if channels_first else "channels_last"
    layer = cls(pool, strides=stride, padding=padding, data_format=data_format)
    x_in = np.moveaxis(x, -1, 1) if channels_first else x
    got = np.asarray(layer(x_in))
    got = np.moveaxis(got, 1, -1) if channels_first else got
    strides = (stride or pool,) * rank  # strides default to pool_size
    np.testing.assert_allclose(got, ref.pool(x, kind, (pool,) * rank, strides, padding), rtol=1e-5, atol=1e-5)


def test_same_average_pooling_divides_by_real_elements_only():
    x = np.ones((1, 3, 3, 1), "float32")
    out = np.asarray(L.AveragePooling2D(2, strides=1, padding="same")(x))
    np.testing.assert_allclose(out, np.ones((1, 3, 3, 1)))  # zero padding would pull edges below 1


def test_global_pooling_reduces_the_spatial_axes():
    x = RNG.normal(size=(2, 3, 4, 5)).astype("float32")
    np.testing.assert_allclose(np.asarray(L.GlobalAveragePooling2D()(x)), x.mean(axis=(1, 2)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(L.GlobalMaxPooling2D(data_format="channels_first", keepdims=True)(x)),
                               x.max(axis=(2, 3), keepdims=True))


def test_global_average_pooling_1d_honours_the_mask():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    inputs = symk.Input((4, 3))
    layer = L.GlobalAveragePooling1D()
    # a mask as Embedding(mask_zero=True) or Masking would attach it
    masked = symk.ops.cast(symk.Input((4,), dtype="bool"), "bool")
    inputs._keras_mask = masked
    out = layer(inputs)
    from symk.codegen import Program

    program = Program(out.graph, [inputs.node, masked.graph.inputs_of(masked.node)[0][0]], [(out.node, out.index)])
    (got,), _ = program.run({}, {}, [x, mask])
    expected = np.stack([x[0, :2].mean(axis=0), x[1].mean(axis=0)])
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)


def test_pooling_errors_name_the_problem():
    with pytest.raises(ValueError, match="pool_size"):
        L.MaxPooling2D(0)
    with pytest.raises(ValueError, match="padding must be one of"):
        L.MaxPooling1D(2, padding="causal")
    with pytest.raises(symk.ShapeError, match="ndim=4"):
        L.MaxPooling2D()(symk.Input((4, 3)))
    with pytest.raises(symk.ShapeError, match="does not fit"):
        L.MaxPooling2D(5, name="big_pool")(symk.Input((3, 3, 2)))
