"""ONNX import of element types and quantization: Cast/CastLike to float8, 4-bit, 2-bit and float8e8m0 types,
BitCast, QuantizeLinear/DequantizeLinear (per tensor, per axis, blocked), DynamicQuantizeLinear, MatMulInteger,
ConvInteger, QLinearMatMul, QLinearConv. Outputs are checked against onnx.reference and onnxruntime."""
import ml_dtypes
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from hypothesis import strategies as st  # noqa: E402
from onnx import TensorProto as T  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

from symk.onnx import backend  # noqa: E402
from symk.onnx.import_registry import OnnxImportError  # noqa: E402
from symk.testing import OpCase, check_op, spec  # noqa: E402

RNG = np.random.default_rng(0)


def _model(nodes, inputs, outputs, opset=25, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _info(name, elem_type, shape=None):
    return helper.make_tensor_value_info(name, elem_type, shape)


def _difference(ours, reference, what) -> str:
    """'' when dtype and values are equal (NaN where the reference has NaN, the sign of zeros kept), else what differs."""
    if ours.dtype != reference.dtype:
        return f"{what}: dtype {ours.dtype} != {reference.dtype}"
    a, b = ours.astype(np.float32), reference.astype(np.float32)
    if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
        return f"{what}: {a.tolist()} != {b.tolist()}"
    if not np.array_equal(np.signbit(a[~np.isnan(a)]), np.signbit(b[~np.isnan(b)])):
        return f"{what}: the signs of zeros differ"
    return ""


def _ort(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


# values around every float8 range: ties, overflow, infinities, NaN, tiny and negative zeros
SPECIALS = np.array([0.0, -0.0, 0.3, -1.75, 17.0, 240.0, 250.0, 448.0, 460.0, 464.0, 1e4, 57344.0, 61440.0, 7e4,
                     1e-7, -1e-9, np.inf, -np.inf, np.nan], np.float32)
FLOAT8 = {"FLOAT8E4M3FN": T.FLOAT8E4M3FN, "FLOAT8E4M3FNUZ": T.FLOAT8E4M3FNUZ, "FLOAT8E5M2": T.FLOAT8E5M2,
          "FLOAT8E5M2FNUZ": T.FLOAT8E5M2FNUZ}


@pytest.mark.parametrize("source", [T.FLOAT, T.FLOAT16])
def test_cast_to_float8_saturating_or_not_matches_the_reference(source):
    with np.errstate(over="ignore"):  # 7e4 overflows float16 to inf: wanted
        x = np.concatenate([SPECIALS, RNG.normal(size=20).astype(np.float32) * 50]).astype(
            helper.tensor_dtype_to_np_dtype(source))
    nodes, outputs = [], []
    for name, to in FLOAT8.items():
        for saturate in (0, 1):
            out = f"{name}_{saturate}"
            nodes.append(helper.make_node("Cast", ["x"], [out], to=to, saturate=saturate))
            outputs.append(_info(out, to, [len(x)]))
    model = _model(nodes, [_info("x", source, [len(x)])], outputs)
    ours = backend.run_model(model, [x])
    refs = ReferenceEvaluator(model).run(None, {"x": x})
    problems = [_difference(mine, ref, info.name) for info, mine, ref in zip(outputs, ours, refs)]
    assert len(problems) == len(outputs) and not any(problems), problems


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast")  # the reference's NaN -> int4
def test_cast_to_4_and_2_bit_types_matches_the_reference():
    x = np.array([-9.5, -8.7, -8.0, -7.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.7, 3.0, 6.5, 7.6, 8.0, 15.2, 16.0, 300.0,
                  np.nan, np.inf, -np.inf], np.float32)
    targets = {"i4": T.INT4, "u4": T.UINT4, "i2": T.INT2, "u2": T.UINT2, "f4": T.FLOAT4E2M1}
    nodes = [helper.make_node("Cast", ["x"], [k], to=v) for k, v in targets.items()]
    # and back: the narrow types widen exactly; ints to them drop the higher bits
    nodes += [helper.make_node("Cast", ["i4"], ["i4_float"], to=T.FLOAT),
              helper.make_node("Cast", ["n"], ["n_u4"], to=T.UINT4)]
    outputs = [_info(k, v, [len(x)]) for k, v in targets.items()] + [_info("i4_float", T.FLOAT, [len(x)]),
                                                                    _info("n_u4", T.UINT4, [6])]
    model = _model(nodes, [_info("x", T.FLOAT, [len(x)]), _info("n", T.INT32, [6])], outputs)
    n = np.array([-20, -1, 7, 16, 17, 300], np.int32)
    ours = backend.run_model(model, [x, n])
    refs = ReferenceEvaluator(model).run(None, {"x": x, "n": n})
    problems = [_difference(mine, ref, info.name) for info, mine, ref in zip(outputs, ours, refs)]
    assert len(problems) == len(outputs) and not any(problems), problems


@pytest.mark.parametrize("round_mode", ["up", "down", "nearest"])
def test_cast_to_float8e8m0_rounds_as_the_reference(round_mode):
    x = np.array([1.0, 1.5, 3.0, 0.7, 1e-30, 3e38, 1e38, 2.0 ** 127, np.inf, np.nan, 5.9e-39, 1.2e-38], np.float32)
    node = helper.make_node("Cast", ["x"], ["y"], to=T.FLOAT8E8M0, round_mode=round_mode)
    model = _model([node], [_info("x", T.FLOAT, [len(x)])], [_info("y", T.FLOAT8E8M0, [len(x)])])
    (ours,) = backend.run_model(model, [x])
    (ref,) = ReferenceEvaluator(model).run(None, {"x": x})
    np.testing.assert_array_equal(ours.view(np.uint8), ref.view(np.uint8))


def test_castlike_takes_the_type_and_saturate_of_its_second_input():
    x = np.array([1e6, -500.0, 0.33], np.float32)
    like = np.zeros(1, ml_dtypes.float8_e4m3fn)
    node = helper.make_node("CastLike", ["x", "like"], ["y"], saturate=0)
    model = _model([node], [_info("x", T.FLOAT, [3]), _info("like", T.FLOAT8E4M3FN, [1])],
                   [_info("y", T.FLOAT8E4M3FN, [3])])
    (ours,) = backend.run_model(model, [x, like])
    problem = _difference(ours, ReferenceEvaluator(model).run(None, {"x": x, "like": like})[0], "castlike")
    assert not problem, problem


def test_bitcast_reads_the_same_bits_and_refuses_64_bit_tensors():
    x = np.array([[1.0, -2.5, np.inf]], np.float32)
    model = _model([helper.make_node("BitCast", ["x"], ["y"], to=T.INT32)], [_info("x", T.FLOAT, [1, 3])],
                   [_info("y", T.INT32, [1, 3])], opset=26)
    np.testing.assert_array_equal(backend.run_model(model, [x])[0], x.view(np.int32))
    wide = _model([helper.make_node("BitCast", ["x"], ["y"], to=T.INT64, name="wide")],
                  [_info("x", T.DOUBLE, [2])], [_info("y", T.INT64, [2])], opset=26)
    with pytest.raises(OnnxImportError, match="'wide' .*64-bit"):
        backend.run_model(wide, [np.ones(2)])


def test_onnx_bitcast_op_matches_numpy_views():
    pairs = [("float32", "int32"), ("uint32", "float32"), ("float16", "int16"), ("bfloat16", "uint16"),
             ("int8", "uint8"), ("uint8", "float8_e4m3fn"), ("bool", "uint8")]
    cases = st.sampled_from([OpCase([spec((2, 3), a)], dict(to=b)) for a, b in pairs])
    check_op("onnx_bitcast", cases, reference=lambda x, to: np.asarray(x).view(np.dtype(to)), max_examples=5,
             gradients=False)


def test_quantize_linear_per_axis_blocked_and_float8_match_the_reference():
    x = (RNG.normal(size=(3, 4)) * 40).astype(np.float32)
    x[0, :2] = [2.5, 3.5]  # ties go to even
    scale_axis = np.array([1.0, 0.5, 2.0], np.float32)
    zero_axis = np.array([-3, 0, 5], np.int8)
    scale_blocks = np.array([[1.0, 2.0], [0.25, 4.0], [3.0, 0.5]], np.float32)
    zero_blocks = np.array([[1, -2], [0, 3], [7, -8]], ml_dtypes.int4)
    inits = [numpy_helper.from_array(scale_axis, "sa"), numpy_helper.from_array(zero_axis, "za"),
             numpy_helper.from_array(scale_blocks, "sb"), numpy_helper.from_array(zero_blocks, "zb"),
             numpy_helper.from_array(np.array(0.125, np.float32), "s8")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "sa", "za"], ["per_axis"], axis=0),
             helper.make_node("QuantizeLinear", ["x", "sb", "zb"], ["blocked"], axis=1, block_size=2),
             helper.make_node("QuantizeLinear", ["x", "s8"], ["fp8"], output_dtype=T.FLOAT8E4M3FN),
             helper.make_node("QuantizeLinear", ["x", "s8"], ["u8"]),
             helper.make_node("DequantizeLinear", ["blocked", "sb", "zb"], ["back"], axis=1, block_size=2)]
    outputs = [_info("per_axis", T.INT8, [3, 4]), _info("blocked", T.INT4, [3, 4]),
               _info("fp8", T.FLOAT8E4M3FN, [3, 4]), _info("u8", T.UINT8, [3, 4]), _info("back", T.FLOAT, [3, 4])]
    model = _model(nodes, [_info("x", T.FLOAT, [3, 4])], outputs, initializers=inits)
    ours = backend.run_model(model, [x])
    refs = ReferenceEvaluator(model).run(None, {"x": x})
    problems = [_difference(mine, ref, info.name) for info, mine, ref in zip(outputs, ours, refs)]
    assert len(problems) == len(outputs) and not any(problems), problems


def test_dynamic_quantize_linear_matches_onnxruntime():
    x = (RNG.normal(size=(3, 5)) * 4 + 1).astype(np.float32)
    model = _model([helper.make_node("DynamicQuantizeLinear", ["x"], ["q", "s", "z"])], [_info("x", T.FLOAT, [3, 5])],
                   [_info("q", T.UINT8, [3, 5]), _info("s", T.FLOAT, []), _info("z", T.UINT8, [])], opset=21)
    for mine, ref in zip(backend.run_model(model, [x]), _ort(model, {"x": x})):
        assert mine.dtype == ref.dtype
        np.testing.assert_allclose(mine, ref, rtol=1e-6)


def test_matmul_integer_with_per_row_and_per_column_zero_points():
    """onnxruntime takes only scalar zero points for A, so the reference is the spec's formula in numpy."""
    a = RNG.integers(0, 255, size=(4, 3)).astype(np.uint8)
    b = RNG.integers(0, 255, size=(3, 2)).astype(np.uint8)
    az, bz = np.array([3, 0, 200, 9], np.uint8), np.array([100, 7], np.uint8)  # per row of a, per column of b
    model = _model([helper.make_node("MatMulInteger", ["a", "b", "az", "bz"], ["ab"])],
                   [_info("a", T.UINT8, [4, 3]), _info("b", T.UINT8, [3, 2])], [_info("ab", T.INT32, [4, 2])],
                   opset=21, initializers=[numpy_helper.from_array(az, "az"), numpy_helper.from_array(bz, "bz")])
    (ours,) = backend.run_model(model, [a, b])
    expected = (a.astype(np.int32) - az[:, None]) @ (b.astype(np.int32) - bz)
    assert ours.dtype == np.int32
    np.testing.assert_array_equal(ours, expected)


def test_qlinear_conv_and_matmul_match_onnxruntime():
    x = RNG.integers(0, 255, size=(1, 2, 5, 5)).astype(np.uint8)
    # 7-bit weights: onnxruntime's uint8 x int8 kernels on AVX2 saturate pairs of large products in int16
    w = RNG.integers(-64, 64, size=(3, 2, 3, 3)).astype(np.int8)
    a = RNG.integers(-128, 127, size=(2, 4)).astype(np.int8)
    b = RNG.integers(-128, 127, size=(4, 3)).astype(np.int8)
    f32 = lambda v: np.array(v, np.float32)  # noqa: E731
    inits = [numpy_helper.from_array(v, n) for n, v in [
        ("xs", f32(0.02)), ("xz", np.array(128, np.uint8)), ("ws", f32([0.01, 0.03, 0.002])),
        ("wz", np.zeros(3, np.int8)), ("ys", f32(0.05)), ("yz", np.array(10, np.uint8)),
        ("bias", np.array([100, -2000, 50], np.int32)),
        ("as", f32(0.1)), ("az", np.array(3, np.int8)), ("bs", f32(0.07)), ("bz", np.array(-1, np.int8)),
        ("ms", f32(2.0)), ("mz", np.array(-5, np.int8))]]
    nodes = [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "bias"], ["conv"],
                              pads=[1, 0, 1, 2], strides=[2, 1]),
             helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ms", "mz"], ["mm"]),
             helper.make_node("ConvInteger", ["x", "w8", "xz"], ["ci"], pads=[0, 1, 0, 1])]
    inits.append(numpy_helper.from_array(RNG.integers(0, 255, size=(2, 2, 2, 2)).astype(np.uint8), "w8"))
    model = _model(nodes, [_info("x", T.UINT8, [1, 2, 5, 5]), _info("w", T.INT8, [3, 2, 3, 3]),
                           _info("a", T.INT8, [2, 4]), _info("b", T.INT8, [4, 3])],
                   [_info("conv", T.UINT8, None), _info("mm", T.INT8, None), _info("ci", T.INT32, None)],
                   opset=21, initializers=inits)
    feeds = {"x": x, "w": w, "a": a, "b": b}
    ours = backend.run_model(model, list(feeds.values()))
    for judge in (_ort(model, feeds), ReferenceEvaluator(model).run(None, feeds)):
        for mine, ref in zip(ours, judge):
            assert mine.dtype == ref.dtype and mine.shape == ref.shape
            np.testing.assert_array_equal(mine, ref)


def test_bad_quantization_inputs_are_refused_naming_the_node():
    x = _info("x", T.FLOAT, [2, 4])
    mismatch = _model([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], output_dtype=T.INT8, name="q1")],
                      [x], [_info("y", T.INT8, [2, 4])],
                      initializers=[numpy_helper.from_array(np.array(0.5, np.float32), "s"),
                                    numpy_helper.from_array(np.array(0, np.uint8), "z")])
    with pytest.raises(OnnxImportError, match="'q1' .*output_dtype int8 differs from the zero point's type uint8"):
        backend.run_model(mismatch, [np.ones((2, 4), np.float32)])
    blocks = _model([helper.make_node("DequantizeLinear", ["x8", "s"], ["y"], axis=1, block_size=3, name="dq")],
                    [_info("x8", T.UINT8, [2, 4])], [_info("y", T.FLOAT, [2, 4])],
                    initializers=[numpy_helper.from_array(np.ones((2, 1), np.float32), "s")])
    with pytest.raises(OnnxImportError, match="'dq' .*blocked scale .* blocks of 3 \\(2\\), got shape \\(2, 1\\)"):
        backend.run_model(blocks, [np.ones((2, 4), np.uint8)])
    to_string = _model([helper.make_node("Cast", ["x"], ["y"], to=T.STRING, name="c")], [x],
                       [_info("y", T.STRING, [2, 4])])
    with pytest.raises(OnnxImportError, match="'c' .*STRING is not supported"):
        backend.run_model(to_string, [np.ones((2, 4), np.float32)])
