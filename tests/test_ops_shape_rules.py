"""Every registered op's shape rule against jax.eval_shape of its own lowering (hypothesis-drawn cases)."""
import dataclasses
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings

from symk import testing
from symk.ops.registry import OPS, OpDef

testing.load_op_case_modules(pathlib.Path(__file__).parent)
OP_NAMES = testing.ops_needing_cases()


def test_every_op_has_registered_cases():
    missing = [name for name in OP_NAMES if name not in testing.OP_CASES]
    assert not missing, (
        f"ops without hypothesis cases: {missing}. Register a strategy of symk.testing.OpCase for each with "
        "symk.testing.register_op_cases(name, strategy, family) in tests/op_cases_<family>.py")


def test_cases_name_real_ops():
    assert set(testing.OP_CASES) <= set(OPS), set(testing.OP_CASES) - set(OPS)


def test_each_family_gets_at_least_100_examples():
    families = {}
    for name in OP_NAMES:
        if name in testing.OP_CASES:
            families.setdefault(testing.OP_CASES[name].family, []).append(name)
    for family, names in families.items():
        assert sum(testing.examples_for(n) for n in names) >= testing.MIN_EXAMPLES_PER_FAMILY, family


@pytest.mark.parametrize("name", OP_NAMES)
def test_shape_rule_matches_lowering(name):
    if name not in testing.OP_CASES:
        pytest.fail(f"op {name!r} has no registered cases (see test_every_op_has_registered_cases)")

    @settings(max_examples=testing.examples_for(name), suppress_health_check=[HealthCheck.too_slow])
    @given(testing.OP_CASES[name].strategy)
    def check(case):
        testing.assert_rule_matches_lowering(name, case)

    check()


def _with_temporary_op(rule, lower):
    """Declare a throwaway op (removed again by the caller) to check that the harness catches bad rules."""
    attrs_type = dataclasses.make_dataclass("ProbeAttrs", [], frozen=True)
    OPS["_harness_probe"] = OpDef("_harness_probe", rule, lower, attrs_type)
    return "_harness_probe"


@pytest.mark.parametrize("rule,lower,message", [
    (lambda specs, attrs: specs[0], lambda x: x[..., :1], "!= lowering"),                        # wrong shape
    (lambda specs, attrs: specs[0], lambda x: x.astype("int32"), "!= lowering"),                 # wrong dtype
    (lambda specs, attrs: testing.spec((2,), "float32"), lambda x: x.sum(), "!= lowering"),
])
def test_harness_catches_rules_that_disagree_with_the_lowering(rule, lower, message):
    name = _with_temporary_op(rule, lower)
    try:
        with pytest.raises(AssertionError, match=message):
            testing.assert_rule_matches_lowering(name, testing.OpCase([testing.spec((3, 4))]))
    finally:
        del OPS[name]


def test_harness_catches_refusals_that_disagree():
    from symk.errors import RuleViolation

    def refusing(specs, attrs):
        raise RuleViolation("never", "")

    name = _with_temporary_op(refusing, lambda x: x)
    try:
        with pytest.raises(AssertionError, match="the rule refused"):
            testing.assert_rule_matches_lowering(name, testing.OpCase([testing.spec((3,))]))
        testing.assert_rule_matches_lowering(name, testing.OpCase([testing.spec((3,))], must_refuse=True))
    finally:
        del OPS[name]
    name = _with_temporary_op(lambda specs, attrs: specs[0], lambda x: x)
    try:
        with pytest.raises(AssertionError, match="must refuse"):
            testing.assert_rule_matches_lowering(name, testing.OpCase([testing.spec((3,))], must_refuse=True))
    finally:
        del OPS[name]
