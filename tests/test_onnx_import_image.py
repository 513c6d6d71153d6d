"""ONNX import of the image operators (symk/onnx/import_ops_image.py): small models built with onnx.helper, run
through symk and compared with ONNX's reference evaluator (onnx.reference) or ONNX Runtime."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import symk.onnx
import symk.onnx.backend as backend
from symk.onnx.import_registry import NeedsStaticValue, OnnxImportError

RNG = np.random.default_rng(0)


def make_model(nodes, inputs, outputs, initializers=(), opset=22):
    """inputs / outputs: (name, elem_type, shape) triples."""
    graph = helper.make_graph(nodes, "image_test", [helper.make_tensor_value_info(*i) for i in inputs],
                              [helper.make_tensor_value_info(*o) for o in outputs],
                              [numpy_helper.from_array(a, name) for name, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def assert_matches_reference(model, feeds, rtol=1e-4, atol=1e-5):
    expected = ReferenceEvaluator(model).run(None, feeds)
    got = backend.prepare(model).run([feeds[i.name] for i in model.graph.input])
    for e, g in zip(expected, got):
        assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, g.dtype, e.shape, e.dtype)
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol)


def test_resize_linear_with_an_unknown_batch_is_a_real_graph_and_matches_onnxruntime():
    import onnxruntime

    scales = np.array([1, 1, 1.7, 0.6], np.float32)
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="linear",
                            coordinate_transformation_mode="half_pixel")
    model = make_model([node], [("x", TensorProto.FLOAT, ("batch", 3, 5, 7))], [("y", TensorProto.FLOAT, None)],
                       [("scales", scales)])
    x = RNG.standard_normal((2, 3, 5, 7)).astype(np.float32)
    imported = symk.onnx.load_model(model)
    assert tuple(imported.outputs[0].shape) == (None, 3, 8, 4)
    got = imported.predict(x, verbose=0)
    expected = onnxruntime.InferenceSession(model.SerializeToString()).run(None, {"x": x})[0]
    assert got.shape == (2, 3, 8, 4)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_resize_cubic_antialias_sizes_keep_aspect_ratio_over_axes():
    node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"], mode="cubic", antialias=1, axes=[3, 2],
                            keep_aspect_ratio_policy="not_smaller", cubic_coeff_a=-0.5, exclude_outside=1)
    model = make_model([node], [("x", TensorProto.FLOAT, (1, 2, 9, 8)), ("sizes", TensorProto.INT64, (2,))],
                       [("y", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((1, 2, 9, 8)).astype(np.float32),
                                     "sizes": np.array([3, 5], np.int64)})


def test_resize_nearest_of_integers_and_tf_crop_and_resize_extrapolation():
    nearest = helper.make_node("Resize", ["x", "", "scales"], ["y"], mode="nearest", nearest_mode="ceil",
                               coordinate_transformation_mode="align_corners")
    model = make_model([nearest], [("x", TensorProto.INT32, (1, 1, 3, 4)), ("scales", TensorProto.FLOAT, (4,))],
                       [("y", TensorProto.INT32, None)])
    assert_matches_reference(model, {"x": RNG.integers(-100, 100, (1, 1, 3, 4)).astype(np.int32),
                                     "scales": np.array([1, 1, 2.5, 1.5], np.float32)})
    crop = helper.make_node("Resize", ["x", "roi", "", "sizes"], ["y"], mode="linear",
                            coordinate_transformation_mode="tf_crop_and_resize", extrapolation_value=7.0)
    model = make_model([crop], [("x", TensorProto.FLOAT, (1, 1, 4, 5)), ("roi", TensorProto.FLOAT, (8,)),
                                ("sizes", TensorProto.INT64, (4,))], [("y", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((1, 1, 4, 5)).astype(np.float32),
                                     "roi": np.array([0, 0, -0.2, 0.3, 1, 1, 0.9, 1.4], np.float32),
                                     "sizes": np.array([1, 1, 3, 6], np.int64)})


@pytest.mark.parametrize("mode,padding,align", [("cubic", "reflection", 0), ("linear", "border", 1),
                                                ("nearest", "zeros", 0)])
def test_grid_sample_modes_and_paddings(mode, padding, align):
    node = helper.make_node("GridSample", ["x", "grid"], ["y"], mode=mode, padding_mode=padding, align_corners=align)
    model = make_model([node], [("x", TensorProto.FLOAT, (2, 2, 4, 5)), ("grid", TensorProto.FLOAT, (2, 3, 6, 2))],
                       [("y", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((2, 2, 4, 5)).astype(np.float32),
                                     "grid": RNG.uniform(-1.6, 1.6, (2, 3, 6, 2)).astype(np.float32)})


def test_roi_align_avg_and_max():
    for mode, ctm in (("avg", "half_pixel"), ("max", "output_half_pixel")):
        node = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"], mode=mode, output_height=3,
                                output_width=2, sampling_ratio=2, spatial_scale=0.5,
                                coordinate_transformation_mode=ctm)
        model = make_model([node], [("x", TensorProto.FLOAT, (2, 3, 8, 9)), ("rois", TensorProto.FLOAT, (3, 4)),
                                    ("batch", TensorProto.INT64, (3,))], [("y", TensorProto.FLOAT, None)])
        rois = np.array([[0, 0, 8, 10], [3, 2, 17, 15], [-4, 1, 6, 20]], np.float32)
        assert_matches_reference(model, {"x": RNG.standard_normal((2, 3, 8, 9)).astype(np.float32), "rois": rois,
                                         "batch": np.array([1, 0, 1], np.int64)})


def test_deform_conv_groups_strides_pads_mask_and_bias():
    node = helper.make_node("DeformConv", ["x", "w", "offset", "b", "mask"], ["y"], kernel_shape=[2, 3],
                            group=2, offset_group=2, strides=[2, 1], pads=[1, 0, 0, 1], dilations=[1, 2])
    # output: ((5 + 1 - 2) // 2 + 1, (6 + 1 - 5) // 1 + 1) = (3, 3)
    shapes = {"x": (1, 4, 5, 6), "w": (4, 2, 2, 3), "offset": (1, 2 * 6 * 2, 3, 3), "b": (4,), "mask": (1, 12, 3, 3)}
    model = make_model([node], [(k, TensorProto.FLOAT, s) for k, s in shapes.items()],
                       [("y", TensorProto.FLOAT, None)])
    feeds = {k: RNG.standard_normal(s).astype(np.float32) for k, s in shapes.items()}
    assert_matches_reference(model, feeds, rtol=1e-4, atol=1e-4)


def test_col2im_with_strides_pads_dilations():
    node = helper.make_node("Col2Im", ["x", "image", "block"], ["y"], strides=[2, 1], pads=[1, 0, 1, 2],
                            dilations=[1, 2])
    # blocks: ((5 + 2 - 2) // 2 + 1) * ((4 + 2 - 3) // 1 + 1) = 3 * 4
    model = make_model([node], [("x", TensorProto.FLOAT, (2, 3 * 4, 12)), ("image", TensorProto.INT64, (2,)),
                                ("block", TensorProto.INT64, (2,))], [("y", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((2, 12, 12)).astype(np.float32),
                                     "image": np.array([5, 4], np.int64), "block": np.array([2, 2], np.int64)})


def test_max_pool_indices_feed_max_unpool():
    pool = helper.make_node("MaxPool", ["x"], ["p", "i"], kernel_shape=[2, 3], strides=[2, 3])
    unpool = helper.make_node("MaxUnpool", ["p", "i", "shape"], ["y"], kernel_shape=[2, 3], strides=[2, 3])
    model = make_model([pool, unpool], [("x", TensorProto.FLOAT, (2, 2, 4, 6))],
                       [("p", TensorProto.FLOAT, None), ("i", TensorProto.INT64, None), ("y", TensorProto.FLOAT, None)],
                       [("shape", np.array([2, 2, 5, 7], np.int64))])
    assert_matches_reference(model, {"x": RNG.standard_normal((2, 2, 4, 6)).astype(np.float32)})
    column_major = helper.make_node("MaxPool", ["x"], ["p", "i"], kernel_shape=[3, 2], ceil_mode=1, strides=[2, 2],
                                    storage_order=1)
    model = make_model([column_major], [("x", TensorProto.FLOAT, (1, 2, 5, 6))],
                       [("p", TensorProto.FLOAT, None), ("i", TensorProto.INT64, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((1, 2, 5, 6)).astype(np.float32)})


def test_affine_grid_3d_and_center_crop_pad():
    node = helper.make_node("AffineGrid", ["theta", "size"], ["grid"], align_corners=1)
    model = make_model([node], [("theta", TensorProto.FLOAT, (2, 3, 4)), ("size", TensorProto.INT64, (5,))],
                       [("grid", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"theta": RNG.standard_normal((2, 3, 4)).astype(np.float32),
                                     "size": np.array([2, 1, 3, 2, 4], np.int64)})
    crop = helper.make_node("CenterCropPad", ["x", "shape"], ["y"], axes=[-1, 0])
    model = make_model([crop], [("x", TensorProto.FLOAT, (5, 4, 7)), ("shape", TensorProto.INT64, (2,))],
                       [("y", TensorProto.FLOAT, None)])
    assert_matches_reference(model, {"x": RNG.standard_normal((5, 4, 7)).astype(np.float32),
                                     "shape": np.array([4, 8], np.int64)})


def test_non_max_suppression_is_folded_when_its_inputs_are_known():
    node = helper.make_node("NonMaxSuppression", ["boxes", "scores", "max", "iou", "score"], ["selected"],
                            center_point_box=1)
    boxes = np.concatenate([RNG.uniform(0, 10, (2, 7, 2)), RNG.uniform(1, 5, (2, 7, 2))], axis=-1).astype(np.float32)
    scores = RNG.uniform(0, 1, (2, 3, 7)).astype(np.float32)
    model = make_model([node], [("boxes", TensorProto.FLOAT, (2, 7, 4)), ("scores", TensorProto.FLOAT, (2, 3, 7))],
                       [("selected", TensorProto.INT64, None)],
                       [("max", np.array([3], np.int64)), ("iou", np.array([0.3], np.float32)),
                        ("score", np.array([0.2], np.float32))])
    assert_matches_reference(model, {"boxes": boxes, "scores": scores})
    with pytest.raises(NeedsStaticValue, match="NonMaxSuppression.*depends on their values"):
        symk.onnx.load_model(model)  # boxes computed at run time: no static-shape graph can hold the result


def test_bad_resize_and_roi_align_calls_name_the_node_and_the_fix():
    both = helper.make_node("Resize", ["x", "", "scales", "sizes"], ["y"], name="up")
    model = make_model([both], [("x", TensorProto.FLOAT, (1, 1, 2, 2))], [("y", TensorProto.FLOAT, None)],
                       [("scales", np.ones(4, np.float32)), ("sizes", np.ones(4, np.int64))])
    with pytest.raises(OnnxImportError, match="'up' \\(Resize.*exactly one of scales and sizes"):
        symk.onnx.load_model(model)
    adaptive = helper.make_node("RoiAlign", ["x", "rois", "batch"], ["y"], name="pool", sampling_ratio=0)
    model = make_model([adaptive], [("x", TensorProto.FLOAT, (1, 1, 4, 4)), ("rois", TensorProto.FLOAT, (1, 4))],
                       [("y", TensorProto.FLOAT, None)], [("batch", np.zeros(1, np.int64))])
    with pytest.raises(OnnxImportError, match="'pool' \\(RoiAlign.*positive sampling_ratio"):
        symk.onnx.load_model(model)
