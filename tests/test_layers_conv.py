"""Convolution layers: the layer harness, numerics against numpy references (every padding,
strides, dilations, groups, both data formats), Keras weight layouts, Keras reference models,
and the errors for bad configurations."""
import json
import pathlib

import h5py
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import conv_reference as ref
import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

REFERENCES = pathlib.Path(__file__).parent / "references"
RNG = np.random.default_rng(7)

EXAMPLES = [
    layer_example("conv1d_causal", lambda: L.Conv1D(3, 2, padding="causal", activation="relu"), (2, 7, 4)),
    layer_example("conv1d_strided", lambda: L.Conv1D(2, 3, strides=2), (2, 8, 3)),
    layer_example("conv2d_same", lambda: L.Conv2D(4, 3, padding="same"), (2, 5, 5, 3)),
    layer_example("conv2d_first", lambda: L.Conv2D(4, (2, 3), data_format="channels_first"), (2, 3, 5, 6)),
    layer_example("conv2d_groups", lambda: L.Conv2D(4, 3, groups=2, dilation_rate=2), (2, 6, 6, 4)),
    layer_example("conv3d", lambda: L.Conv3D(2, 2, strides=(1, 2, 1)), (1, 3, 4, 3, 2)),
    layer_example("conv1d_transpose", lambda: L.Conv1DTranspose(2, 3, strides=2), (2, 4, 3)),
    layer_example("conv2d_transpose", lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"), (2, 3, 4, 2)),
    layer_example("conv2d_transpose_op", lambda: L.Conv2DTranspose(2, 3, strides=2, output_padding=1), (1, 3, 3, 2)),
    layer_example("conv3d_transpose", lambda: L.Conv3DTranspose(2, 2, data_format="channels_first"), (1, 2, 2, 3, 2)),
    layer_example("depthwise2d", lambda: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (2, 5, 5, 3)),
    layer_example("depthwise1d", lambda: L.DepthwiseConv1D(2, padding="same"), (2, 6, 3)),  # causal: Conv1D only
    layer_example("separable2d", lambda: L.SeparableConv2D(4, 3, depth_multiplier=2, strides=2), (2, 7, 7, 3)),
    layer_example("separable1d", lambda: L.SeparableConv1D(3, 2, padding="same", use_bias=False), (2, 6, 2)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def _run(layer, x):
    return np.asarray(layer(x), dtype=np.float64)


def _set(layer, x, *weights):
    layer(symk.Input(batch_shape=(None,) + x.shape[1:]))
    layer.set_weights(list(weights))
    return layer


@settings(max_examples=15)
@given(rank=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]), stride=st.integers(1, 2),
       dilation=st.integers(1, 2), groups=st.sampled_from([1, 2]), channels_first=st.booleans(),
       size=st.integers(4, 6), kernel=st.integers(1, 3))
def test_conv_matches_numpy(rank, padding, stride, dilation, groups, channels_first, size, kernel):
    if stride > 1 and dilation > 1:
        dilation = 1
    assume(padding != "valid" or dilation * (kernel - 1) + 1 <= size)  # else the layer rightly refuses
    x = RNG.normal(size=(2,) + (size,) * rank + (2 * groups,)).astype("float32")
    w = RNG.normal(size=(kernel,) * rank + (2, 2 * groups)).astype("float32")
    b = RNG.normal(size=(2 * groups,)).astype("float32")
    cls = {1: L.Conv1D, 2: L.Conv2D}[rank]
    data_format = "channels_first" if channels_first else "channels_last"
    x_in = np.moveaxis(x, -1, 1) if channels_first else x
    layer = _set(cls(2 * groups, kernel, strides=stride, padding=padding, dilation_rate=dilation, groups=groups,
                     data_format=data_format), x_in, w, b)
    got = _run(layer, x_in)
    expected = ref.conv(x, w, (stride,) * rank, padding, (dilation,) * rank, groups) + b
    np.testing.assert_allclose(np.moveaxis(got, 1, -1) if channels_first else got, expected, rtol=1e-4, atol=1e-4)


def test_causal_conv1d_sees_no_future():
    x = RNG.normal(size=(1, 6, 2)).astype("float32")
    w = RNG.normal(size=(3, 2, 1)).astype("float32")
    layer = _set(L.Conv1D(1, 3, padding="causal", dilation_rate=2, use_bias=False), x, w)
    expected = ref.conv(x, w, (1,), "causal", (2,))
    np.testing.assert_allclose(_run(layer, x), expected, rtol=1e-5, atol=1e-5)
    changed = x.copy()
    changed[0, 4:] += 10.0  # the future changes; outputs 0..3 must not
    np.testing.assert_allclose(_run(layer, changed)[0, :4], expected[0, :4], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride,kernel,dilation,output_padding",
                         [(1, 3, 1, None), (2, 3, 1, None), (3, 2, 1, None), (2, 4, 1, None), (1, 2, 2, None),
                          (2, 3, 1, 1), (3, 3, 1, 2)])
def test_conv_transpose_matches_scatter_reference(padding, stride, kernel, dilation, output_padding):
    x = RNG.normal(size=(2, 3, 4, 2)).astype("float32")
    w = RNG.normal(size=(kernel, kernel, 3, 2)).astype("float32")
    layer = _set(L.Conv2DTranspose(3, kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                   output_padding=output_padding, use_bias=False), x, w)
    ops = None if output_padding is None else (output_padding,) * 2
    expected = ref.conv_transpose(x, w, (stride,) * 2, padding, (dilation,) * 2, ops)
    np.testing.assert_allclose(_run(layer, x), expected, rtol=1e-4, atol=1e-4)


def test_conv_transpose_channels_first():
    x = RNG.normal(size=(1, 5, 2)).astype("float32")
    w = RNG.normal(size=(3, 2, 2)).astype("float32")
    layer = _set(L.Conv1DTranspose(2, 3, strides=2, data_format="channels_first", use_bias=False),
                 np.moveaxis(x, -1, 1), w)
    got = np.moveaxis(_run(layer, np.moveaxis(x, -1, 1)), 1, -1)
    np.testing.assert_allclose(got, ref.conv_transpose(x, w, (2,), "valid", (1,)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("padding,stride", [("valid", 1), ("same", 2), ("same", 1)])
def test_depthwise_and_separable_match_numpy(padding, stride):
    x = RNG.normal(size=(2, 5, 5, 3)).astype("float32")
    dw = RNG.normal(size=(3, 3, 3, 2)).astype("float32")
    pw = RNG.normal(size=(1, 1, 6, 4)).astype("float32")
    b = RNG.normal(size=(4,)).astype("float32")
    depthwise = ref.depthwise(x, dw, (stride,) * 2, padding, (1, 1))
    layer = _set(L.DepthwiseConv2D(3, strides=stride, padding=padding, depth_multiplier=2, use_bias=False), x, dw)
    np.testing.assert_allclose(_run(layer, x), depthwise, rtol=1e-4, atol=1e-4)
    sep = _set(L.SeparableConv2D(4, 3, strides=stride, padding=padding, depth_multiplier=2), x, dw, pw, b)
    np.testing.assert_allclose(_run(sep, x), depthwise @ pw[0, 0] + b, rtol=1e-4, atol=1e-4)


def test_weight_layouts_and_names_follow_keras():
    shapes = {
        L.Conv2D(6, (3, 2), groups=2): [("kernel", (3, 2, 2, 6)), ("bias", (6,))],
        L.Conv2DTranspose(5, 3): [("kernel", (3, 3, 5, 4)), ("bias", (5,))],
        L.DepthwiseConv2D(3, depth_multiplier=2): [("kernel", (3, 3, 4, 2)), ("bias", (8,))],
        L.SeparableConv2D(5, 3): [("depthwise_kernel", (3, 3, 4, 1)), ("pointwise_kernel", (1, 1, 4, 5)),
                                  ("bias", (5,))],
    }
    for layer, expected in shapes.items():
        layer(symk.Input((7, 7, 4)))
        assert [(w.short_name, tuple(w.shape)) for w in layer.weights] == expected


def test_conv_layers_emit_conv_then_bias_add_then_activation():
    x = symk.Input((5, 5, 2))
    y = L.Conv2D(3, 3, activation="relu", data_format="channels_last")(x)
    assert y.op_name == "relu"
    graph = y.graph
    (bias_add, _), = graph.inputs_of(y.node)
    assert graph.op(bias_add) == "bias_add"
    assert graph.node(bias_add)["attrs"].data_format == "channels_last"
    assert graph.op(graph.inputs_of(bias_add)[0][0]) == "conv"


def _keras_model_predictions(case, build_layers, keras="keras3"):
    """Build the architecture in symk, load the Keras file's weights layer by layer, predict."""
    path = REFERENCES / keras / f"{case}.h5"
    data = np.load(REFERENCES / keras / f"{case}.npz")
    with h5py.File(path, "r") as f:
        group = f["model_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["layer_names"]]
        weights = {}
        for name in names:
            wnames = [n.decode() if isinstance(n, bytes) else n for n in group[name].attrs["weight_names"]]
            weights[name] = [np.asarray(group[name][w]) for w in wnames]
        config = json.loads(f.attrs["model_config"])
    first = config["config"]["layers"][0]["config"]
    input_shape = first.get("batch_shape", first.get("batch_input_shape"))[1:]  # Keras 3 / Keras 2 spelling
    layers = build_layers()
    model = symk.Sequential([symk.Input(tuple(input_shape))] + layers)
    for layer, name in zip(layers, [n for n in names]):
        layer.set_weights(weights[name])
    return model.predict(data["x"]), data["y"]


@pytest.mark.parametrize("keras", ["keras3", "keras2"])
def test_keras_cnn_reference(keras):
    got, expected = _keras_model_predictions("cnn", lambda: [
        L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(), L.Conv2D(6, 3, padding="same"),
        L.AveragePooling2D(), L.Flatten(), L.Dense(3, activation="softmax")], keras)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("keras", ["keras3", "keras2"])
def test_keras_conv1d_causal_reference(keras):
    got, expected = _keras_model_predictions("conv1d_misc", lambda: [
        L.Conv1D(3, 2, padding="causal", activation="relu"), L.LayerNormalization(), L.Flatten(), L.Dense(2)], keras)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("keras", ["keras3", "keras2"])
def test_keras_separable_depthwise_transpose_reference(keras):
    got, expected = _keras_model_predictions("conv2d_misc", lambda: [
        L.SeparableConv2D(4, 3, padding="same"), L.DepthwiseConv2D(3, depth_multiplier=2),
        L.Conv2DTranspose(3, 3, strides=2), L.GlobalAveragePooling2D(), L.Dense(2)], keras)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make,message", [
    (lambda: L.Conv2D(0, 3), "filters must be a positive integer"),
    (lambda: L.Conv2D(5, 3, groups=2), "multiple of groups"),
    (lambda: L.Conv2D(4, (3, 3, 3)), "kernel_size must be"),
    (lambda: L.Conv2D(4, 3, padding="causal"), "padding must be one of"),
    (lambda: L.Conv2D(4, 3, strides=2, dilation_rate=2), "strides > 1 together with dilation_rate > 1"),
    (lambda: L.Conv2D(4, 3, data_format="NHWC"), "data_format must be"),
    (lambda: L.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
])
def test_bad_configurations_are_refused_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_are_refused_at_call_naming_the_layer():
    layer = L.Conv2D(4, 5, name="small_conv")
    with pytest.raises(symk.ShapeError, match="small_conv"):
        layer(symk.Input((3, 3, 2)))  # a 5x5 window does not fit 3x3 with 'valid'
    with pytest.raises(ValueError, match="rank 4"):
        L.Conv2D(4, 3)(symk.Input((8, 2)))
    with pytest.raises(ValueError, match="channel axis"):
        L.Conv2D(4, 3)(symk.Input((5, 5, None)))
    with pytest.raises(ValueError, match="multiple of groups"):
        L.Conv2D(4, 3, groups=2)(symk.Input((5, 5, 3)))
    built = L.Conv2D(4, 3, name="built_for_three")
    built(symk.Input((5, 5, 3)))
    with pytest.raises(symk.ShapeError, match="built_for_three"):
        built(symk.Input((5, 5, 2)))
