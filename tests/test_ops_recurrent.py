"""The recurrent ops: shape rules against jax.eval_shape of their lowerings, and the rnn op's
numerics against step-by-step numpy cells written from Keras's documented formulas."""
import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symk.errors import RuleViolation, ShapeError
from symk.ops.registry import OPS, apply
from symk.shapes import TensorSpec

GATES = {"simple": 1, "lstm": 4, "gru": 3}


# -- numpy references (Keras's cell equations, one step at a time) ---------------------
def np_sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def np_cell_step(cell, x_t, states, kernel, recurrent_kernel, bias, units, reset_after=True):
    """One step of a Keras cell; returns (output, new states)."""
    if cell == "simple":
        h = np.tanh(x_t @ kernel + states[0] @ recurrent_kernel + (0 if bias is None else bias))
        return h, [h]
    if cell == "lstm":
        h_prev, c_prev = states
        z = x_t @ kernel + h_prev @ recurrent_kernel + (0 if bias is None else bias)
        i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = np_sigmoid(f) * c_prev + np_sigmoid(i) * np.tanh(g)
        h = np_sigmoid(o) * np.tanh(c)
        return h, [h, c]
    h_prev = states[0]
    wz, wr, wh = (kernel[:, k * units:(k + 1) * units] for k in range(3))
    uz, ur, uh = (recurrent_kernel[:, k * units:(k + 1) * units] for k in range(3))
    if reset_after:
        b_in, b_rec = (np.zeros((3 * units,)), np.zeros((3 * units,))) if bias is None else (bias[0], bias[1])
        bz, br, bh = (b_in[k * units:(k + 1) * units] for k in range(3))
        rz, rr, rh = (b_rec[k * units:(k + 1) * units] for k in range(3))
        z = np_sigmoid(x_t @ wz + bz + h_prev @ uz + rz)
        r = np_sigmoid(x_t @ wr + br + h_prev @ ur + rr)
        candidate = np.tanh(x_t @ wh + bh + r * (h_prev @ uh + rh))
    else:
        b = np.zeros((3 * units,)) if bias is None else bias
        bz, br, bh = (b[k * units:(k + 1) * units] for k in range(3))
        z = np_sigmoid(x_t @ wz + bz + h_prev @ uz)
        r = np_sigmoid(x_t @ wr + br + h_prev @ ur)
        candidate = np.tanh(x_t @ wh + bh + (r * h_prev) @ uh)
    h = z * h_prev + (1 - z) * candidate
    return h, [h]


def np_rnn(cell, x, kernel, recurrent_kernel, bias, states, units, reset_after=True, mask=None,
           go_backwards=False):
    """Keras's RNN loop: masked steps keep the states and repeat the previous output."""
    steps = list(range(x.shape[1]))
    if go_backwards:
        steps = steps[::-1]
    outputs, previous = [], np.zeros((x.shape[0], units))
    states = [np.asarray(s, np.float64) for s in states]
    for t in steps:
        out, new_states = np_cell_step(cell, x[:, t], states, kernel, recurrent_kernel, bias, units, reset_after)
        if mask is not None:
            keep = mask[:, t][:, None]
            new_states = [np.where(keep, n, o) for n, o in zip(new_states, states)]
            out = np.where(keep, out, previous)
        states, previous = new_states, out
        outputs.append(out)
    return np.stack(outputs, axis=1), states


def random_weights(rng, cell, features, units, reset_after=True, use_bias=True):
    width = GATES[cell] * units
    kernel = rng.normal(0, 0.5, (features, width)).astype("float32")
    recurrent_kernel = rng.normal(0, 0.5, (units, width)).astype("float32")
    bias = None
    if use_bias:
        shape = (2, width) if cell == "gru" and reset_after else (width,)
        bias = rng.normal(0, 0.5, shape).astype("float32")
    return kernel, recurrent_kernel, bias


# -- numerics ----------------------------------------------------------------------
@pytest.mark.parametrize("cell,reset_after", [("simple", True), ("lstm", True), ("gru", True), ("gru", False)])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_rnn_matches_numpy_cells(cell, reset_after, go_backwards):
    rng = np.random.default_rng(0)
    batch, steps, features, units = 3, 4, 2, 5
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    kernel, recurrent_kernel, bias = random_weights(rng, cell, features, units, reset_after)
    states = [rng.normal(size=(batch, units)).astype("float32") for _ in range(2 if cell == "lstm" else 1)]
    outs = apply("rnn", [x, kernel, recurrent_kernel, bias, *states], cell=cell, units=units,
                 reset_after=reset_after, go_backwards=go_backwards, return_sequences=True)
    expected, expected_states = np_rnn(cell, x, kernel, recurrent_kernel, bias, states, units, reset_after,
                                       go_backwards=go_backwards)
    np.testing.assert_allclose(np.asarray(outs[0]), expected, rtol=1e-5, atol=1e-5)
    for got, want in zip(outs[1:], expected_states):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cell", ["simple", "lstm", "gru"])
def test_rnn_masked_steps_carry_state(cell):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    kernel, recurrent_kernel, bias = random_weights(rng, cell, 3, 4)
    states = [np.zeros((2, 4), "float32")] * (2 if cell == "lstm" else 1)
    outs = apply("rnn", [x, kernel, recurrent_kernel, bias, *states, mask], cell=cell, units=4,
                 has_mask=True, return_sequences=True)
    expected, _ = np_rnn(cell, x, kernel, recurrent_kernel, bias, states, 4, mask=mask)
    np.testing.assert_allclose(np.asarray(outs[0]), expected, rtol=1e-5, atol=1e-5)
    last = apply("rnn", [x, kernel, recurrent_kernel, bias, *states, mask], cell=cell, units=4, has_mask=True)
    np.testing.assert_allclose(np.asarray(last[0]), expected[:, -1], rtol=1e-5, atol=1e-5)


def test_rnn_unrolled_and_unbiased_agree_with_numpy():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    kernel, recurrent_kernel, _ = random_weights(rng, "lstm", 2, 3, use_bias=False)
    states = [np.zeros((2, 3), "float32")] * 2
    out = apply("rnn", [x, kernel, recurrent_kernel, *states], cell="lstm", units=3, use_bias=False, unroll=True)
    expected, _ = np_rnn("lstm", x, kernel, recurrent_kernel, None, states, 3)
    np.testing.assert_allclose(np.asarray(out[0]), expected[:, -1], rtol=1e-5, atol=1e-5)


def test_rnn_dropout_masks_scale_inputs_and_state():
    """A dropout mask input multiplies x (every step) and the recurrent state before U, as Keras does."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 2)).astype("float32")
    kernel, recurrent_kernel, bias = random_weights(rng, "simple", 2, 3)
    h0 = np.zeros((2, 3), "float32")
    in_mask = np.array([[2.0, 0.0], [0.0, 2.0]], "float32")
    rec_mask = np.array([[0.0, 2.0, 2.0], [2.0, 2.0, 0.0]], "float32")
    out = apply("rnn", [x, kernel, recurrent_kernel, bias, h0, in_mask, rec_mask], cell="simple", units=3,
                has_input_dropout=True, has_recurrent_dropout=True, return_sequences=True)
    h, expected = h0, []
    for t in range(3):
        h = np.tanh((x[:, t] * in_mask) @ kernel + (h * rec_mask) @ recurrent_kernel + bias)
        expected.append(h)
    np.testing.assert_allclose(np.asarray(out[0]), np.stack(expected, 1), rtol=1e-5, atol=1e-5)


def test_sequence_helpers_numerics():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(np.asarray(apply("reverse", [x], axis=1)), x[:, ::-1])
    merged = np.asarray(apply("merge_leading", [x]))
    np.testing.assert_array_equal(merged, x.reshape(6, 4))
    np.testing.assert_array_equal(np.asarray(apply("split_leading", [merged[:, :2], x])), x[:, :, :2])
    np.testing.assert_array_equal(np.asarray(apply("batch_full", [x], shape=(5,), value=1.5)), np.full((2, 5), 1.5))


# -- shape rules against the lowering -------------------------------------------------
def _eval_shape(op_name, specs, attrs):
    op = OPS[op_name]
    attrs_obj = op.attrs_type(**attrs)
    structs = [jax.ShapeDtypeStruct(tuple(s.shape), s.dtype) for s in specs]
    out = jax.eval_shape(lambda *a: op.lower(*a, **op.attr_dict(attrs_obj)), *structs)
    return out if isinstance(out, tuple) else (out,)


def _check_rule(op_name, specs, attrs):
    """The rule and eval_shape of the lowering agree, or both refuse."""
    op = OPS[op_name]
    try:
        rule = op.shape(specs, op.attrs_type(**attrs))
    except RuleViolation:
        with pytest.raises(Exception):
            _eval_shape(op_name, specs, attrs)
        return None
    rule = (rule,) if isinstance(rule, TensorSpec) else tuple(rule)
    lowered = _eval_shape(op_name, specs, attrs)
    assert [tuple(r.shape) for r in rule] == [tuple(l.shape) for l in lowered]
    assert [r.dtype for r in rule] == [str(l.dtype) for l in lowered]
    return rule


@st.composite
def rnn_cases(draw):
    cell = draw(st.sampled_from(["simple", "lstm", "gru"]))
    batch, steps = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    features, units = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    attrs = dict(cell=cell, units=units, use_bias=draw(st.booleans()), reset_after=draw(st.booleans()),
                 go_backwards=draw(st.booleans()), return_sequences=draw(st.booleans()),
                 has_mask=draw(st.booleans()), has_input_dropout=draw(st.booleans()),
                 has_recurrent_dropout=draw(st.booleans()), unroll=draw(st.booleans()))
    width = GATES[cell] * units
    # sometimes a wrong kernel width: rule and lowering must both refuse
    kernel_width = width + draw(st.sampled_from([0, 0, 0, 1]))
    specs = [TensorSpec.of((batch, steps, features)), TensorSpec.of((features, kernel_width)),
             TensorSpec.of((units, width))]
    if attrs["use_bias"]:
        specs.append(TensorSpec.of((2, width) if cell == "gru" and attrs["reset_after"] else (width,)))
    specs += [TensorSpec.of((batch, units))] * (2 if cell == "lstm" else 1)
    if attrs["has_mask"]:
        specs.append(TensorSpec.of((batch, steps), "bool"))
    if attrs["has_input_dropout"]:
        specs.append(TensorSpec.of((batch, features)))
    if attrs["has_recurrent_dropout"]:
        specs.append(TensorSpec.of((batch, units)))
    return specs, attrs


@settings(max_examples=40)
@given(rnn_cases())
def test_rnn_rule_matches_lowering(case):
    specs, attrs = case
    width = GATES[attrs["cell"]] * attrs["units"]
    if specs[1].shape[1] != width:
        # a kernel of the wrong width: the rule refuses it even where jax's slicing would quietly run
        with pytest.raises(RuleViolation, match="kernel"):
            OPS["rnn"].shape(specs, OPS["rnn"].attrs_type(**attrs))
        return
    _check_rule("rnn", specs, attrs)


@settings(max_examples=25)
@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(-4, 3))
def test_sequence_helper_rules_match_lowering(shape, axis):
    spec = TensorSpec.of(shape)
    _check_rule("reverse", [spec], dict(axis=axis))
    merged = _check_rule("merge_leading", [spec], {})
    _check_rule("split_leading", [merged[0], spec], {})
    _check_rule("batch_full", [spec], dict(shape=tuple(shape[1:]), value=0.0, dtype="float32"))


def test_rnn_shape_error_names_the_op_and_the_fix():
    from symk.layers import Input

    x = Input(shape=(4, 3))
    with pytest.raises(ShapeError, match=r"op 'rnn'.*kernel must have shape \(3, 8\)"):
        apply("rnn", [x, np.zeros((2, 8), "float32"), np.zeros((2, 8), "float32"), np.zeros((8,), "float32"),
                      np.zeros((1, 2), "float32"), np.zeros((1, 2), "float32")], cell="lstm", units=2)
    with pytest.raises(ShapeError, match="rank 3"):
        apply("rnn", [Input(shape=(3,)), np.zeros((3, 2), "float32"), np.zeros((2, 2), "float32"),
                      np.zeros((2,), "float32"), np.zeros((1, 2), "float32")], units=2)
