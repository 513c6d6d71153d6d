"""check_op: property-test an op declared with `symk.ops.registry.def_op` over hypothesis-drawn cases.

    from symk.testing import check_op, op_cases, specs
    check_op("mylib_scaled_tanh", op_cases(st.lists(specs(0, 3, dtypes=st.just("float32")), min_size=1,
             max_size=1), st.fixed_dictionaries({"scale": st.floats(0.5, 2)})), reference=np_scaled_tanh)

For each drawn OpCase: the shape rule agrees with jax.eval_shape of the lowering (or both refuse),
also with an unknown batch axis; an `elementwise=True` op keeps the broadcast shape; the op gives
the rule's shapes and dtypes eagerly and in a compiled graph, with equal values; values match
`reference` (numpy) when given; gradients through float inputs are finite. Failures raise
AssertionError, shrunk by hypothesis, with the `check_op_example(...)` call that reruns the case.
"""
from __future__ import annotations

from typing import Callable, Optional, Union

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from hypothesis import strategies as st

from ..graph import Graph, graph_scope
from ..ops.registry import OpDef, apply, get_op, make_attrs
from .layer_check import sample_data
from .op_harness import OpCase, assert_rule_matches_lowering, rule_specs


# NOTE: no 'explain' phase: it reruns a failing example many times (each a compile) to annotate lines
_PHASES = tuple(p for p in Phase if p.name != "explain")


def check_op(op: Union[str, OpDef], cases: st.SearchStrategy, *, reference: Optional[Callable] = None,
             max_examples: int = 20, gradients: bool = True, rtol: float = 1e-5, atol: float = 1e-6,
             settings: Optional[hypothesis_settings] = None) -> None:
    """Assert an op's rule, lowering, graph and eager behaviour agree over cases drawn from `cases` (OpCases,
    e.g. from `op_cases(...)`). `reference(*arrays, **attrs)` computes the expected values with numpy."""
    name = op.name if isinstance(op, OpDef) else get_op(op).name
    base = settings if settings is not None else hypothesis_settings(derandomize=True, database=None)

    @hypothesis_settings(base, max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                            report_multiple_bugs=False,  # one AssertionError, not an ExceptionGroup
                            phases=_PHASES)
    @given(case=cases)
    def run(case):
        if not isinstance(case, OpCase):
            raise TypeError(f"check_op(cases=...) must draw symk.testing.OpCase values (see op_cases); got {case!r}")
        check_op_example(name, case, reference=reference, gradients=gradients, rtol=rtol, atol=atol)

    run()


def check_op_example(op: Union[str, OpDef], case: OpCase, *, reference: Optional[Callable] = None,
                     gradients: bool = True, rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """check_op's checks on one case, without hypothesis (the call a failure prints)."""
    name = op.name if isinstance(op, OpDef) else op
    repro = f"check_op_example({name!r}, {_case_source(case)}{', reference=...' if reference else ''})"
    try:
        assert_rule_matches_lowering(name, case)
        rule = rule_specs(name, case)
        if case.must_refuse or isinstance(rule, Exception):
            return
        definition = get_op(name)
        if definition.elementwise:
            _check_elementwise(name, case, rule)
        arrays = [sample_data(tuple(s.shape), s.dtype, seed + i) for i, s in enumerate(case.inputs)]
        eager = _as_tuple(apply(name, arrays, **case.attrs))
        where = f"op {name!r} on {_plain(case)} with attrs {case.attrs}"
        for i, (value, want) in enumerate(zip(eager, rule)):
            value = np.asarray(value)
            assert (value.shape, str(value.dtype)) == (tuple(want.shape), want.dtype), (
                f"{where}, output {i}: run eagerly it gives {value.shape} {value.dtype}, the rule says "
                f"{tuple(want.shape)} {want.dtype}")
        if not definition.random:
            _check_compiled(name, case, arrays, eager, where, rtol, atol)
        if reference is not None and not definition.random:
            expected = _as_tuple(reference(*arrays, **case.attrs))
            for i, (got, want) in enumerate(zip(eager, expected)):
                np.testing.assert_allclose(np.asarray(got, dtype="float64"), np.asarray(want, dtype="float64"),
                                           rtol=rtol, atol=atol, err_msg=f"{where}, output {i}: against reference")
        if gradients and not definition.random:
            _check_gradients(definition, case, arrays, where)
    except AssertionError as err:
        raise AssertionError(f"{err}\n  reproduce with: symk.testing.{repro}") from None
    except Exception as err:  # noqa: BLE001  (an op that crashes on a case its rule accepts fails too)
        raise AssertionError(f"op {name!r} raised {type(err).__name__} on {_plain(case)}: {err}\n"
                             f"  reproduce with: symk.testing.{repro}") from err


def _check_elementwise(name: str, case: OpCase, rule) -> None:
    """Passes fuse elementwise ops by their flag: the output must have the inputs' broadcast shape."""
    shapes = [tuple(s.shape) for s in case.inputs]
    broadcast = tuple(np.broadcast_shapes(*shapes)) if shapes else ()
    for i, out in enumerate(rule):
        assert tuple(out.shape) == broadcast, (
            f"op {name!r} is declared elementwise=True, but on inputs {shapes} its rule gives output {i} the shape "
            f"{tuple(out.shape)}, not the broadcast shape {broadcast}; drop the flag or fix the rule")


def _check_compiled(name, case, arrays, eager, where, rtol, atol) -> None:
    """The op in a graph, lowered and jitted, computes what it computes eagerly."""
    if not case.inputs:  # an input-less op (a creation op) has no graph of its own to lower
        return
    from ..codegen import Program
    from ..layers.input_layer import make_placeholder

    with graph_scope(Graph()):
        inputs = [make_placeholder(tuple(s.shape), s.dtype, name=f"x{i}") for i, s in enumerate(case.inputs)]
        outs = _as_tuple(apply(name, inputs, **case.attrs))
        for i, (t, want) in enumerate(zip(outs, rule_specs(name, case))):
            assert (tuple(t.shape), t.dtype) == (tuple(want.shape), want.dtype), (
                f"{where}, output {i}: in a graph the node has {tuple(t.shape)} {t.dtype}, the rule says "
                f"{tuple(want.shape)} {want.dtype}")
        program = Program(inputs[0].graph, [t.node for t in inputs], [(t.node, t.index) for t in outs])
        compiled, _ = program.run({}, {}, [jnp.asarray(a) for a in arrays])
    for i, (c, e) in enumerate(zip(compiled, eager)):
        np.testing.assert_allclose(np.asarray(c, dtype="float64"), np.asarray(e, dtype="float64"), rtol=rtol,
                                   atol=atol, err_msg=f"{where}, output {i}: compiled and eager values differ")


def _check_gradients(definition: OpDef, case: OpCase, arrays, where: str) -> None:
    """Gradients of a random projection of the float outputs w.r.t. the float inputs are finite."""
    floats = [i for i, a in enumerate(arrays) if jnp.issubdtype(a.dtype, jnp.floating)]
    if not floats:
        return
    kwargs = definition.attr_dict(make_attrs(definition, case.attrs))
    if definition.training_dependent:
        kwargs["training"] = False

    def loss(*chosen):
        full = list(arrays)
        for i, value in zip(floats, chosen):
            full[i] = value
        outs = _as_tuple(definition.lower(*full, **kwargs))
        total = 0.0
        for k, o in enumerate(outs):
            if jnp.issubdtype(o.dtype, jnp.floating):
                total = total + jnp.sum(o * jax.random.normal(jax.random.PRNGKey(k), o.shape, o.dtype))
        return total

    grads = jax.grad(loss, argnums=tuple(range(len(floats))))(*[jnp.asarray(arrays[i]) for i in floats])
    for i, g in zip(floats, grads):
        assert bool(jnp.all(jnp.isfinite(g))), f"{where}: the gradient w.r.t. input {i} is not finite"


def _as_tuple(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _plain(case: OpCase) -> list:
    return [(tuple(s.shape), s.dtype) for s in case.inputs]


def _case_source(case: OpCase) -> str:
    inputs = ", ".join(f"spec({tuple(s.shape)!r}, {s.dtype!r})" for s in case.inputs)
    refuse = ", must_refuse=True" if case.must_refuse else ""
    return f"OpCase([{inputs}], {case.attrs!r}{refuse})"
