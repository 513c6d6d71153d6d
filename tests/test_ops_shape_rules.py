"""Every registered op's shape rule against jax.eval_shape of its own lowering (hypothesis-drawn cases)."""
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings

from symk import testing
from symk.ops.registry import OPS

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
