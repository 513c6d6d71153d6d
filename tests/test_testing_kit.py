"""symk.testing's kit for users: check_layer passes on correct user layers and fails (AssertionError, shrunk,
with a reproducing call) on broken ones; check_op likewise for ops declared with def_op from outside symk."""
import contextlib

import numpy as np
import pytest
from hypothesis import strategies as st

import symk
from symk import layers, ops
from symk.errors import RuleViolation
from symk.ops.registry import OPS, apply, def_op
from symk.shapes import TensorSpec
from symk.testing import (OpCase, check_layer, check_layer_example, check_op, dtypes, layer_configs, op_cases,
                          spec, specs, symbolic_shapes)


# -- correct user layers ----------------------------------------------------------------
class Projection(layers.Layer):
    """tanh(x @ w + b) over the last axis: a Dense written by a user."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, x):
        return ops.tanh(ops.matmul(x, self.w) + self.b)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@symk.saving.register_keras_serializable(package="kit_tests")
class GatedResidual(layers.Layer):
    """x + sigmoid(gate) * x, a registered layer: it loads without custom_objects."""

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gate")

    def call(self, x):
        return x + ops.sigmoid(self.gate) * x


class WeightedSum(layers.Layer):
    """alpha * a + b, called on a list of two tensors; no weights."""

    def __init__(self, alpha=0.5, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        a, b = inputs
        return a * self.alpha + b

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


def test_check_layer_passes_on_a_user_dense_over_drawn_shapes_and_configs():
    check_layer(Projection, input_shapes=symbolic_shapes(2, 3, last=st.integers(1, 4)),
                configs=layer_configs(units=st.integers(1, 4)), max_examples=3)


def test_check_layer_passes_on_a_registered_layer_with_unknown_inner_axes():
    check_layer(GatedResidual, input_shapes=(None, None, 3), max_examples=2)


def test_check_layer_passes_on_a_multi_input_layer_and_a_builtin_layer():
    check_layer(WeightedSum, input_shapes=[(None, 4), (None, 4)], configs=layer_configs(alpha=st.floats(-2, 2)),
                max_examples=2, skip=("saving",))
    # one ReLU unit: a single unlucky sample gives it no gradient, which must not count as a failure
    check_layer(layers.Dense, input_shapes=(None, 3),
                configs=layer_configs(units=1, activation="relu", use_bias=st.booleans()),
                max_examples=3, save_examples=0)


# -- broken user layers: each fails with AssertionError and a reproducing call ---------
class WrongShapeForWideInputs(Projection):
    """compute_output_shape is off by one once the input has more than 2 features."""

    def compute_output_shape(self, input_shape):
        extra = 1 if input_shape[-1] is not None and input_shape[-1] > 2 else 0
        return tuple(input_shape[:-1]) + (self.units + extra,)


class ConfigWithoutUnits(Projection):
    def get_config(self):
        return layers.Layer.get_config(self)  # forgets "units"


class DiffersWhenCompiled(Projection):
    """Keeps Python state between calls, so the traced Model and a later call on arrays compute differently."""

    calls = 0

    def call(self, x):
        self.calls += 1
        return ops.matmul(x, self.w) * float(self.calls) + self.b


class CutsTheGradient(Projection):
    def call(self, x):
        return ops.tanh(ops.matmul(x, ops.stop_gradient(self.w)) + self.b)


def test_wrong_compute_output_shape_fails_shrunk_to_the_smallest_case():
    with pytest.raises(AssertionError, match="compute_output_shape") as failure:
        check_layer(WrongShapeForWideInputs, input_shapes=symbolic_shapes(2, 3, last=st.integers(1, 6)),
                    configs=layer_configs(units=st.integers(1, 4)), max_examples=5, skip=("saving",))
    message = str(failure.value)
    # hypothesis shrank it: the smallest failing input has rank 2, 3 features, and 1 unit
    assert "input_shapes=(None, 3)" in message and "config={'units': 1}" in message, message
    assert "reproduce with: symk.testing.check_layer_example(WrongShapeForWideInputs" in message
    with pytest.raises(AssertionError, match="returns \\(None, 2\\)"):  # the printed call reproduces it
        check_layer_example(WrongShapeForWideInputs, config={"units": 1}, input_shapes=(None, 3),
                            data_shapes=(1, 3), checks=("shapes",))


@pytest.mark.parametrize("layer_class,skip,words", [
    (ConfigWithoutUnits, ("saving",), "get_config\\(\\) lacks \\['units'\\]"),
    (DiffersWhenCompiled, ("saving", "config", "gradients"), "compiled \\(in a jitted Model\\) and eager"),
    (CutsTheGradient, ("saving", "config"), "no gradient reaches trainable weight"),
])
def test_broken_layers_fail(layer_class, skip, words):
    with pytest.raises(AssertionError, match=words):
        check_layer(layer_class, input_shapes=(None, 2), configs=layer_configs(units=2), max_examples=2, skip=skip)


def test_a_layer_whose_config_does_not_rebuild_it_fails_even_without_the_argument_check():
    class Forgetful(ConfigWithoutUnits):
        def __init__(self, **kwargs):  # takes units through **kwargs, so no argument list to compare with
            units = kwargs.pop("units", 3)
            super().__init__(units=units, **kwargs)

    with pytest.raises(AssertionError, match="builds weights of shapes"):
        check_layer_example(Forgetful, config={"units": 1}, input_shapes=(None, 2), data_shapes=(1, 2),
                            checks=("config",))


def test_an_unregistered_layer_that_does_not_load_fails_the_saving_check():
    class NotRebuildable(Projection):
        def get_config(self):
            return {**super().get_config(), "units": object()}  # nothing a file can hold

    with pytest.raises(AssertionError, match="save/load|config"):
        check_layer_example(NotRebuildable, config={"units": 2}, input_shapes=(None, 2), data_shapes=(1, 2),
                            checks=("saving",))


def test_check_layer_rejects_unknown_arguments():
    with pytest.raises(ValueError, match="unknown check"):
        check_layer(Projection, input_shapes=(None, 2), skip=("speed",))
    with pytest.raises(TypeError, match="input_shapes"):
        check_layer(Projection, input_shapes=("two",))


# -- user ops declared with def_op from outside symk -----------------------------------
@contextlib.contextmanager
def declared(name, rule, lower, **kwargs):
    """Declare an op for one test and remove it after (other tests walk the registry)."""
    def_op(name, rule, lower, **kwargs)
    try:
        yield name
    finally:
        del OPS[name]


def same_shape_float(input_specs, attrs):
    if input_specs[0].dtype not in ("float32", "float16", "bfloat16"):
        raise RuleViolation(f"expects a float input, got {input_specs[0].dtype}", "cast it with ops.cast first")
    return input_specs[0]


FLOAT_CASES = op_cases(st.lists(specs(0, 3, dtypes=st.just("float32")), min_size=1, max_size=1),
                       st.fixed_dictionaries({"scale": st.floats(0.5, 2.0, width=32)}))


def test_check_op_passes_on_a_user_op_and_it_works_inside_a_user_layer():
    import jax.numpy as jnp

    with declared("kit_test_scaled_tanh", same_shape_float, lambda x, scale: jnp.tanh(x) * scale,
                  attrs={"scale": 1.0}, elementwise=True):
        check_op("kit_test_scaled_tanh", FLOAT_CASES, reference=lambda x, scale: np.tanh(x) * scale,
                 max_examples=5)
        check_op("kit_test_scaled_tanh", st.just(OpCase([spec((2,), "int32")], must_refuse=True)))  # rule refuses ints

        class ScaledTanh(layers.Layer):
            def call(self, x):
                return apply("kit_test_scaled_tanh", [x], scale=2.0)

        check_layer(ScaledTanh, input_shapes=(None, None), max_examples=2, save_examples=0)


@pytest.mark.parametrize("name,rule,lower,flags,reference,words", [
    ("kit_test_bad_rule", lambda s, a: s[0], lambda x, scale: x.sum(-1, keepdims=True) * scale, {}, None,
     "lowering"),
    ("kit_test_bad_flag", lambda s, a: TensorSpec.of(s[0].shape[:-1], s[0].dtype) if s[0].shape else s[0],
     lambda x, scale: x.sum(-1) * scale if x.ndim else x * scale, {"elementwise": True}, None,
     "declared elementwise=True"),
    ("kit_test_bad_values", same_shape_float, lambda x, scale: x * scale, {},
     lambda x, scale: np.tanh(x) * scale, "against reference"),
])
def test_check_op_fails_on_broken_ops(name, rule, lower, flags, reference, words):
    with declared(name, rule, lower, attrs={"scale": 1.0}, **flags):
        with pytest.raises(AssertionError, match=words) as failure:
            check_op(name, FLOAT_CASES, reference=reference, max_examples=10)
    assert f"reproduce with: symk.testing.check_op_example({name!r}, OpCase([spec(" in str(failure.value)


def test_strategies_draw_what_they_promise():
    from hypothesis import given, settings

    @settings(max_examples=25, deadline=None, derandomize=True, database=None)
    @given(symbolic_shapes(2, 4, unknown_probability=0.5, last=st.just(7)), dtypes(("float", "int")))
    def check(shape, dtype):
        assert shape[0] is None and shape[-1] == 7 and 2 <= len(shape) <= 4
        assert all(d is None or 1 <= d <= 4 for d in shape[1:-1])
        assert np.dtype(dtype).kind in "fiu" or dtype == "bfloat16"

    check()
    with pytest.raises(ValueError, match="min_rank"):
        symbolic_shapes(0, 2)
    assert isinstance(OpCase([spec((1,))]), OpCase)
