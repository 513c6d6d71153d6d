"""The registry-driven op harness: OpCase, register_op_cases, and each shape rule against jax.eval_shape.

Every op in `symk.ops.registry.OPS` gets its shape rule checked against `jax.eval_shape`
of its own lowering. Each op registers one hypothesis strategy that draws OpCases:

    from symk.testing import OpCase, register_op_cases, shapes, spec
    register_op_cases("conv", st.builds(lambda s: OpCase([spec(s)], {"strides": 1}), shapes(3, 3)),
                      family="conv")

An op without registered cases fails tests/test_ops_shape_rules.py (graph-structure ops
placeholder/parameter/constant/assign excepted). This module needs hypothesis (a test extra).

Op families other than the core ones register theirs in `tests/op_cases_<family>.py`
(loaded by `load_op_case_modules`), so tests/test_ops_shape_rules.py sees every op.
"""
from __future__ import annotations

import importlib.util
import math
import pathlib
from dataclasses import dataclass, field
from typing import Optional, Sequence

import jax
import jax.numpy as jnp
from hypothesis import strategies as st

from ..errors import ShapeError
from ..ops.registry import OPS, infer, make_attrs
from ..ops.structural import STRUCTURAL
from ..shapes import TensorSpec

MIN_EXAMPLES_PER_FAMILY = 100   # the issue asks for at least this many per op family
MIN_EXAMPLES_PER_OP = 20


@dataclass(frozen=True)
class OpCase:
    """One call of an op: the input specs (concrete shapes) and the attributes.

    `must_refuse` marks a call that symk forbids although jax would run it (a float
    condition for `where`, a 2-D bias): the rule must refuse it, whatever jax does.
    """

    inputs: tuple
    attrs: dict = field(default_factory=dict)
    must_refuse: bool = False

    def __init__(self, inputs: Sequence[TensorSpec], attrs: Optional[dict] = None, must_refuse: bool = False):
        object.__setattr__(self, "inputs", tuple(inputs))
        object.__setattr__(self, "attrs", dict(attrs or {}))
        object.__setattr__(self, "must_refuse", bool(must_refuse))


@dataclass(frozen=True)
class OpCases:
    strategy: st.SearchStrategy
    family: str


OP_CASES: dict[str, OpCases] = {}


def register_op_cases(name: str, strategy: st.SearchStrategy, family: str) -> None:
    """Register the hypothesis strategy (drawing OpCase) for op `name`, in an op family ('math', 'nn', ...)."""
    if name in OP_CASES:
        raise ValueError(f"op cases for {name!r} are registered twice")
    OP_CASES[name] = OpCases(strategy, family)


def ops_needing_cases() -> list[str]:
    """Ops in the registry that the harness must cover (all but graph-structure ones)."""
    return sorted(n for n in OPS if n not in STRUCTURAL)


_LOADED_CASE_MODULES: set[str] = set()


def load_op_case_modules(tests_dir) -> list[str]:
    """Import every `op_cases_*.py` in `tests_dir` (each calls register_op_cases). Returns their names."""
    loaded = []
    for path in sorted(pathlib.Path(tests_dir).glob("op_cases_*.py")):
        module_name = f"symk_op_cases_{path.stem}"
        if module_name in _LOADED_CASE_MODULES:  # loading twice would register every case twice
            loaded.append(path.stem)
            continue
        _LOADED_CASE_MODULES.add(module_name)
        spec_ = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec_)
        spec_.loader.exec_module(module)
        loaded.append(path.stem)
    return loaded


def examples_for(name: str) -> int:
    """Examples for one op so that its family reaches MIN_EXAMPLES_PER_FAMILY in all."""
    family = OP_CASES[name].family
    size = sum(1 for c in OP_CASES.values() if c.family == family)
    return max(MIN_EXAMPLES_PER_OP, math.ceil(MIN_EXAMPLES_PER_FAMILY / size))


# -- the check ----------------------------------------------------------------------
def rule_specs(name: str, case: OpCase):
    """The shape rule's output specs, or the ShapeError it raised."""
    op = OPS[name]
    try:
        return infer(op, list(case.inputs), make_attrs(op, case.attrs))
    except ShapeError as err:
        return err


def lowering_specs(name: str, case: OpCase, training: bool = False):
    """jax.eval_shape of the op's lowering (tuple of TensorSpec), or the exception jax raised."""
    op = OPS[name]
    kwargs = op.attr_dict(make_attrs(op, case.attrs))
    if op.random:
        kwargs["rng"] = jax.random.PRNGKey(0)
    if op.training_dependent:
        kwargs["training"] = training
    structs = [jax.ShapeDtypeStruct(tuple(s.shape), jnp.dtype(s.dtype)) for s in case.inputs]
    try:
        out = jax.eval_shape(lambda *xs: op.lower(*xs, **kwargs), *structs)
    except Exception as err:  # noqa: BLE001  (any refusal by jax counts as refusing)
        return err
    outs = out if isinstance(out, tuple) else (out,)
    return tuple(TensorSpec.of(o.shape, o.dtype) for o in outs)


def _plain(specs) -> list:
    return [(tuple(s.shape), s.dtype) for s in specs]


def assert_rule_matches_lowering(name: str, case: OpCase) -> None:
    """The rule's specs equal eval_shape's (shape and dtype), or both refuse."""
    rule = rule_specs(name, case)
    if case.must_refuse:
        assert isinstance(rule, Exception), (
            f"op {name!r} on {_plain(case.inputs)} with attrs {case.attrs}: the rule must refuse this call, "
            f"but gives {_plain(rule)}")
        return
    trainings = (False, True) if OPS[name].training_dependent else (False,)
    for training in trainings:
        lowered = lowering_specs(name, case, training)
        where = f"op {name!r} on {_plain(case.inputs)} with attrs {case.attrs} (training={training})"
        if isinstance(rule, Exception) and isinstance(lowered, Exception):
            continue
        if isinstance(rule, Exception):
            raise AssertionError(f"{where}: the rule refused ({rule}) but the lowering gives {_plain(lowered)}")
        if isinstance(lowered, Exception):
            raise AssertionError(f"{where}: the rule gives {_plain(rule)} but the lowering refused: "
                                 f"{type(lowered).__name__}: {lowered}")
        assert _plain(rule) == _plain(lowered), f"{where}: rule {_plain(rule)} != lowering {_plain(lowered)}"
    if not isinstance(rule, Exception):
        assert_unknown_batch_consistent(name, case, rule)


def assert_unknown_batch_consistent(name: str, case: OpCase, known) -> None:
    """With axis 0 of the first input unknown (None), the rule must agree with the known result where it answers."""
    if not case.inputs or len(case.inputs[0].shape) == 0:
        return
    first = case.inputs[0]
    relaxed = OpCase([TensorSpec.of((None,) + tuple(first.shape[1:]), first.dtype)] + list(case.inputs[1:]),
                     case.attrs)
    partial = rule_specs(name, relaxed)
    if isinstance(partial, Exception):
        return  # refusing an unknown size (e.g. split points on it) is allowed
    assert len(partial) == len(known), f"op {name!r}: {len(partial)} outputs with an unknown batch, {len(known)} without"
    for p, k in zip(partial, known):
        ok = p.dtype == k.dtype and len(p.shape) == len(k.shape) and all(
            a is None or a == b for a, b in zip(p.shape, k.shape))
        assert ok, (f"op {name!r} on {_plain(relaxed.inputs)} attrs {case.attrs}: rule gives {tuple(p.shape)} "
                    f"{p.dtype}, inconsistent with {tuple(k.shape)} {k.dtype} for known sizes")
