"""`symk.testing`: property-based testing for symk's ops and for users' own layers and ops (needs hypothesis).

    from symk.testing import check_layer, check_op, layer_configs, op_cases, symbolic_shapes
    check_layer(MyLayer, input_shapes=(None, 4), configs=layer_configs(units=st.integers(1, 3)))

- check_layer / check_layer_example (layer_check.py): shapes three ways, eager vs compiled, config
  round trip, gradients, .h5 and .keras save/load, over drawn shapes and configs.
- check_op / check_op_example (op_check.py): an op declared with symk.ops.registry.def_op.
- strategies (strategies.py): shapes (concrete or with None), dtypes, specs, layer configs, op cases.
- the registry-driven harness for symk's own ops (op_harness.py): OpCase, register_op_cases, ...
  used by tests/test_ops_shape_rules.py; symk/testing_core_cases.py registers the core ops' cases.
"""
from .op_harness import (MIN_EXAMPLES_PER_FAMILY, MIN_EXAMPLES_PER_OP, OP_CASES, OpCase, OpCases,  # noqa: F401
                         assert_rule_matches_lowering, assert_unknown_batch_consistent, examples_for,
                         load_op_case_modules, lowering_specs, ops_needing_cases, register_op_cases, rule_specs)
from .strategies import (FLOAT_OR_INT, axes_for, axis_for, broadcast_pair, concrete_shapes, dtypes,  # noqa: F401
                         layer_configs, op_cases, shapes, spec, specs, symbolic_shapes)
from .layer_check import CHECKS, check_layer, check_layer_example, sample_data  # noqa: F401
from .op_check import check_op, check_op_example  # noqa: F401
from . import strategies  # noqa: F401

from .. import testing_core_cases  # noqa: E402,F401  (registers the core ops' cases)
