"""check_layer: property-test a user's layer over hypothesis-drawn input shapes (and configs).

    from symk.testing import check_layer, layer_configs
    check_layer(MyDense, input_shapes=(None, 3), configs=layer_configs(units=st.integers(1, 4)))

Each drawn example builds a fresh layer, calls it on symbolic inputs (None = unknown size) and on
concrete data, and asserts the properties of symk/testing/layer_properties.py. A failure raises
AssertionError after hypothesis has shrunk it to the smallest failing shapes, with a line that
reruns exactly that example (`check_layer_example(...)`).
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from hypothesis import strategies as st

from ..graph import Graph, graph_scope
from . import layer_properties as props
from .layer_properties import sample_data

CHECKS = ("shapes", "compiled", "config", "gradients", "saving")


# NOTE: no 'explain' phase: it reruns a failing example many times (each a compile) to annotate lines
_PHASES = tuple(p for p in Phase if p.name != "explain")


def check_layer(layer_factory: Callable, input_shapes, *, configs: Optional[st.SearchStrategy] = None,
                input_dtype="float32", max_examples: int = 6, save_examples: int = 1,
                skip: tuple = (), custom_objects: Optional[dict] = None, rtol: float = 1e-5, atol: float = 1e-6,
                max_side: int = 4, settings: Optional[hypothesis_settings] = None) -> None:
    """Assert a layer's shape, config, gradient, saving and compilation properties over drawn examples.

    `layer_factory(**config)` makes the layer (a Layer class works); `configs` draws the config dicts
    (see `layer_configs`), else `{}`. `input_shapes`: one shape with axis 0 the batch, e.g. `(None, 5, 3)`
    (None: an unknown size, drawn per example), a hypothesis strategy of such shapes (`symbolic_shapes`),
    or a list of them for a layer called on a list of tensors. `input_dtype`: a dtype name or a strategy of
    them (`dtypes(...)`). `skip`: names from CHECKS.
    `max_examples` drawn examples run every check but saving, which runs on `save_examples` of them.
    """
    unknown = set(skip) - set(CHECKS)
    if unknown:
        raise ValueError(f"check_layer(skip=...) got unknown check(s) {sorted(unknown)}; the checks are {CHECKS}")
    many, shape_strategies = _shape_strategies(input_shapes)
    dtype_strategy = input_dtype if isinstance(input_dtype, st.SearchStrategy) else st.just(input_dtype)
    cases = _cases(configs if configs is not None else st.just({}), shape_strategies, dtype_strategy, many, max_side)
    options = dict(custom_objects=custom_objects or {}, rtol=rtol, atol=atol, many_inputs=many)
    runs = [(max_examples, tuple(c for c in CHECKS if c != "saving" and c not in skip))]
    if "saving" not in skip and save_examples > 0:
        runs.append((save_examples, ("shapes", "saving")))
    for examples, checks in runs:
        base = settings if settings is not None else hypothesis_settings(derandomize=True, database=None)

        @hypothesis_settings(base, max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                            report_multiple_bugs=False,  # one AssertionError, not an ExceptionGroup
                            phases=_PHASES)
        @given(case=cases)
        def run(case):
            check_layer_example(layer_factory, checks=checks, **case, **options)

        run()


def check_layer_example(layer_factory: Callable, config: dict, input_shapes, data_shapes, seed: int = 0, *,
                        checks: tuple = CHECKS, input_dtype: str = "float32", many_inputs: Optional[bool] = None,
                        custom_objects: Optional[dict] = None, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Run check_layer's checks on one example, without hypothesis (the call a failure prints).

    `input_shapes`/`data_shapes`: one shape each, or lists of them (symbolic with None, and concrete)."""
    many = _is_shape_list(input_shapes) if many_inputs is None else many_inputs
    symbolic = [tuple(s) for s in input_shapes] if many else [tuple(input_shapes)]
    concrete = [tuple(s) for s in data_shapes] if many else [tuple(data_shapes)]
    repro = (f"check_layer_example({_name(layer_factory)}, config={config!r}, input_shapes={_arg(symbolic, many)}, "
             f"data_shapes={_arg(concrete, many)}, seed={seed}, checks={tuple(checks)!r}"
             + (f", input_dtype={input_dtype!r}" if input_dtype != "float32" else "") + ")")
    step = "building the layer"
    try:
        with graph_scope(Graph()):  # one graph per example: nothing accumulates in the default graph
            from ..layers import Input

            layer = layer_factory(**config)
            inputs = [Input(batch_shape=s, dtype=input_dtype) for s in symbolic]
            step = "calling the layer on symbolic inputs"
            outputs = props.flatten(layer(inputs if many else inputs[0]))
            data = [sample_data(s, input_dtype, seed + i) for i, s in enumerate(concrete)]
            run = props.LayerRun(layer, inputs, outputs, data, many)
            step = "checking shapes"
            eager = props.check_shapes(run)
            for name in checks:
                step = f"the {name} check"
                if name == "compiled":
                    props.check_compiled(run, eager, rtol, atol)
                elif name == "config":
                    props.check_config(run, eager, rtol, atol, custom_objects or {})
                elif name == "gradients":
                    props.check_gradients(run)
                elif name == "saving":
                    props.check_saving(run, custom_objects or {}, rtol, atol)
    except AssertionError as err:
        raise AssertionError(f"{err}\n  reproduce with: symk.testing.{repro}") from None
    except Exception as err:  # noqa: BLE001  (a layer that crashes on drawn inputs fails the check too)
        raise AssertionError(f"{_name(layer_factory)} raised {type(err).__name__} while {step}: {err}\n"
                             f"  reproduce with: symk.testing.{repro}") from err


# -- drawing examples --------------------------------------------------------------------
def _is_shape_list(value) -> bool:
    return isinstance(value, list) or (isinstance(value, tuple) and bool(value) and
                                       isinstance(value[0], (list, tuple, st.SearchStrategy)))


def _shape_strategies(input_shapes) -> tuple:
    """(many inputs?, one strategy of symbolic shapes per input)."""
    many = _is_shape_list(input_shapes)
    items = list(input_shapes) if many else [input_shapes]
    strategies = []
    for item in items:
        if isinstance(item, st.SearchStrategy):
            strategies.append(item)
        elif isinstance(item, (list, tuple)) and all(d is None or isinstance(d, (int, np.integer)) for d in item):
            strategies.append(st.just(tuple(None if d is None else int(d) for d in item)))
        else:
            raise TypeError(f"check_layer(input_shapes=...) takes a shape such as (None, 5, 3), a hypothesis "
                            f"strategy of shapes, or a list of those; got {item!r}")
    return many, strategies


def _cases(configs, shape_strategies, dtype_strategy, many: bool, max_side: int):
    @st.composite
    def draw_case(draw):
        config = draw(configs)
        symbolic = [draw(s) for s in shape_strategies]
        rank = max((len(s) for s in symbolic), default=0)
        # one size per axis position, shared by all inputs: unknown axes of a merge layer's inputs must agree
        sizes = [draw(st.integers(1, max_side)) for _ in range(rank)]
        concrete = [tuple(sizes[i] if d is None else d for i, d in enumerate(s)) for s in symbolic]
        return dict(config=config, input_shapes=symbolic if many else symbolic[0],
                    data_shapes=concrete if many else concrete[0], seed=draw(st.integers(0, 3)),
                    input_dtype=draw(dtype_strategy))

    return draw_case()


def _name(factory) -> str:
    name = getattr(factory, "__qualname__", None) or repr(factory)
    return "layer_factory" if "<lambda>" in name else name


def _arg(shapes: list, many: bool) -> str:
    return repr(shapes) if many else repr(shapes[0])
