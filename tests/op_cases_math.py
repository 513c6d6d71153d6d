"""Hypothesis cases for Keras's ops.math ops (symk/ops/segment.py, math_top_k.py, signal.py, math_stft.py,
special.py, math_cdist.py, math_complex.py).

Mostly valid calls on small shapes; some refusals on both sides (ids that do not match the rows, k
larger than the axis, parts of different shapes, windows of the wrong length), and calls symk
refuses although JAX runs them (ids of rank 2, stft of a signal shorter than a frame), marked must_refuse.
"""
from hypothesis import strategies as st

from symk.testing import FLOAT_OR_INT, OpCase, register_op_cases, shapes, spec, specs

DTYPES = st.sampled_from(["float32", "float32", "int32", "float16", "bool"])
SIGNAL_DTYPES = st.sampled_from(["float32", "float32", "float32", "int32", "float16"])


def sometimes(draw, value, other, one_in: int = 8):
    return other if draw(st.integers(0, one_in - 1)) == 0 else value


@st.composite
def segment_case(draw):
    data_shape = draw(shapes(1, 3))
    rows = sometimes(draw, data_shape[0], data_shape[0] + 1)
    ids_rank2 = draw(st.integers(0, 9)) == 0
    ids_shape = (rows, 1) if ids_rank2 else (rows,)
    ids_dtype = sometimes(draw, "int32", "float32")
    attrs = {"num_segments": draw(st.integers(0, 4)), "sorted": draw(st.booleans())}
    data_dtype = draw(st.sampled_from(["float32", "float32", "int32"]))
    # JAX also takes ids of rank 2, and broadcasts one row of data to many ids
    return OpCase([spec(data_shape, data_dtype), spec(ids_shape, ids_dtype)], attrs,
                  must_refuse=ids_rank2 or rows != data_shape[0])


for _name in ("segment_sum", "segment_max", "segment_min", "segment_prod"):
    register_op_cases(_name, segment_case(), "math")


@st.composite
def top_k_case(draw):
    x = draw(specs(0, 3, dtypes=DTYPES))
    size = x.shape[-1] if len(x.shape) else 1
    k = draw(st.integers(0, size + (1 if draw(st.integers(0, 5)) == 0 else 0)))
    return OpCase([x], {"k": k, "sorted": draw(st.booleans())})


register_op_cases("top_k", top_k_case(), "math")


@st.composite
def in_top_k_case(draw):
    predictions = draw(shapes(1, 3))
    targets = predictions[:-1]
    if draw(st.integers(0, 9)) == 0:
        targets = targets + (2,)  # one axis too many: both refuse
    return OpCase([spec(targets, "int32"), spec(predictions, draw(FLOAT_OR_INT))], {"k": draw(st.integers(0, 4))})


register_op_cases("in_top_k", in_top_k_case(), "math")


@st.composite
def complex_pair_case(draw, min_rank: int, attrs=st.just({})):
    shape = draw(shapes(min_rank - 1 if draw(st.integers(0, 9)) == 0 else min_rank, 3))
    other = sometimes(draw, shape, shape[:-1] + (shape[-1] + 1,) if shape else (2,), one_in=10)
    dtype = sometimes(draw, "float32", "float16", one_in=10)
    # lax.complex broadcasts parts of different shapes; Keras (and symk) refuse them
    return OpCase([spec(shape, dtype), spec(other, "float32")], draw(attrs), must_refuse=other != shape)


for _name, _rank in (("fft", 1), ("fft2", 2), ("ifft2", 2)):
    register_op_cases(_name, complex_pair_case(_rank), "math")
register_op_cases("irfft", complex_pair_case(1, st.fixed_dictionaries({"fft_length": st.none() | st.integers(0, 9)})),
                  "math")
register_op_cases("rfft", st.builds(lambda x, n: OpCase([x], {"fft_length": n}), specs(0, 3, dtypes=SIGNAL_DTYPES),
                                    st.none() | st.integers(0, 9)), "math")
register_op_cases("extract_sequences", st.builds(
    lambda x, length, stride: OpCase([x], {"sequence_length": length, "sequence_stride": stride}),
    specs(1, 3, dtypes=DTYPES), st.integers(1, 5), st.integers(1, 3)), "math")


@st.composite
def window_choice(draw, sequence_length: int):
    """(window attribute, window input specs): a name, None, or given values (sometimes of the wrong length)."""
    window = draw(st.sampled_from(["hann", "hamming", None, "given"]))
    if window != "given":
        return window, []
    return window, [spec((sometimes(draw, sequence_length, sequence_length + 1),), "float32")]


def bad_frames(attrs, window_inputs) -> bool:
    """Frames symk refuses: longer than the FFT, or a window that is not one value per sample."""
    wrong_window = bool(window_inputs) and window_inputs[0].shape[0] != attrs["sequence_length"]
    return attrs["sequence_length"] > attrs["fft_length"] or wrong_window


@st.composite
def frame_attrs(draw):
    fft_length = draw(st.integers(1, 6))
    sequence_length = sometimes(draw, draw(st.integers(1, fft_length)), fft_length + 1, one_in=10)
    window, window_inputs = draw(window_choice(sequence_length))
    attrs = {"sequence_length": sequence_length, "sequence_stride": draw(st.integers(1, 4)), "fft_length": fft_length,
             "window": window, "center": draw(st.booleans())}
    return attrs, window_inputs


@st.composite
def stft_case(draw):
    attrs, window_inputs = draw(frame_attrs())
    signal = spec(draw(shapes(0, 2)) + (draw(st.integers(1, 12)),), draw(SIGNAL_DTYPES))
    padded = signal.shape[-1] + 2 * (attrs["fft_length"] // 2) * attrs["center"]
    # JAX frames nothing out of a signal shorter than one frame, and takes int signals; Keras (and symk) refuse
    refuse = padded < attrs["fft_length"] or signal.dtype != "float32" or bad_frames(attrs, window_inputs)
    return OpCase([signal] + window_inputs, attrs, must_refuse=refuse)


@st.composite
def istft_case(draw):
    attrs, window_inputs = draw(frame_attrs())
    frames = draw(st.integers(1, 5))
    shape = draw(shapes(0, 1)) + (frames, attrs["fft_length"] // 2 + 1)
    available = attrs["fft_length"] + attrs["sequence_stride"] * (frames - 1) - (attrs["fft_length"] // 2)
    attrs["length"] = draw(st.none() | st.integers(0, max(0, available)))
    return OpCase([spec(shape, "float32"), spec(shape, "float32")] + window_inputs, attrs,
                  must_refuse=bad_frames(attrs, window_inputs))


register_op_cases("stft", stft_case(), "math")
register_op_cases("istft", istft_case(), "math")

for _name in ("erfc", "erfinv"):
    register_op_cases(_name, st.builds(lambda x: OpCase([x]), specs(dtypes=DTYPES)), "math")


@st.composite
def cdist_case(draw):
    points = draw(st.integers(1, 4))
    x = draw(shapes(0, 2, max_side=3)) + (draw(st.integers(1, 4)), points)
    y_batch = draw(st.sampled_from([x[:-2], (), (1,) + x[1:-2], (3,)]))
    y = y_batch + (draw(st.integers(1, 4)), sometimes(draw, points, points + 1))
    # JAX broadcasts one coordinate against many; Keras (and symk) refuse points of different dimensions
    return OpCase([spec(x, draw(DTYPES)), spec(y, draw(DTYPES))], must_refuse=x[-1] != y[-1])


register_op_cases("cdist", cdist_case(), "math")


@st.composite
def view_as_complex_case(draw):
    shape = draw(shapes(0, 2)) + (sometimes(draw, 2, 3),)
    # JAX takes the first two entries of any longer last axis; Keras (and symk) refuse one that is not 2
    return OpCase([spec(shape, draw(SIGNAL_DTYPES))], must_refuse=shape[-1] != 2)


register_op_cases("view_as_complex", view_as_complex_case(), "math")
register_op_cases("view_as_real", st.builds(lambda x: OpCase([x]), specs(dtypes=st.sampled_from(
    ["complex64", "float32", "int32", "bool"]))), "math")
