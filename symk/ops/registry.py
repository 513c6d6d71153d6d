"""The op registry: each op is declared once (name, attrs, shape rule, JAX lowering, flags).

`apply` is the one entry point that adds a node: it converts inputs (symbolic tensors,
variables, constants), runs the shape rule, and turns a RuleViolation into a ShapeError
naming the layer, the op and the shapes. With no symbolic input it runs the lowering
eagerly, so `symk.ops` also works on plain arrays.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from ..errors import RuleViolation, ShapeError
from ..graph import SymbolicTensor, current_frame, default_graph
from ..shapes import TensorSpec, canonical_dtype

ShapeRule = Callable[[list, Any], Any]


@dataclass(frozen=True)
class OpDef:
    """Everything the system knows about one op."""

    name: str
    shape: ShapeRule                # (input specs, attrs) -> TensorSpec | tuple of TensorSpec
    lower: Optional[Callable]       # (*arrays, **attrs[, rng=, training=]) -> array | tuple
    attrs_type: type
    num_inputs: Optional[int] = 1   # None: the first argument is a list of tensors
    elementwise: bool = False       # output[i] depends only on inputs[i] (after broadcasting)
    fusible: bool = False           # may join an elementwise fusion group
    foldable: bool = True           # may be evaluated at compile time on constant inputs
    stateful: bool = False          # reads or writes state outside its inputs
    random: bool = False            # lowering takes `rng`
    training_dependent: bool = False  # lowering takes `training`
    opaque: bool = False            # owns body graphs (a control-flow region): passes treat it as a black box
    doc: str = ""

    def attr_dict(self, attrs) -> dict:
        return {f.name: getattr(attrs, f.name) for f in dataclasses.fields(attrs)}


OPS: dict[str, OpDef] = {}


def def_op(name: str, shape: ShapeRule, lower: Optional[Callable], attrs: Optional[dict] = None,
           inputs: Optional[int] = 1, **flags) -> OpDef:
    """Declare an op. `attrs` maps attribute names to defaults (a frozen dataclass is made)."""
    if name in OPS:
        raise ValueError(f"op {name!r} is declared twice")
    attrs = attrs or {}
    type_name = "".join(p.capitalize() for p in name.split("_")) + "Attrs"
    attrs_type = dataclasses.make_dataclass(
        type_name, [(k, Any, field(default=v)) for k, v in attrs.items()], frozen=True)
    if flags.get("elementwise"):
        flags.setdefault("fusible", True)
    op = OpDef(name, shape, lower, attrs_type, inputs, **flags)
    OPS[name] = op
    return op


def get_op(name: str) -> OpDef:
    try:
        return OPS[name]
    except KeyError:
        raise KeyError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None


def _freeze(value):
    """Attribute values must hash (CSE compares attrs): lists become tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype):
        return value.name
    return value


def make_attrs(op: OpDef, attrs: dict):
    frozen = {k: _freeze(v) for k, v in attrs.items()}
    if "dtype" in frozen and frozen["dtype"] is not None:
        frozen["dtype"] = canonical_dtype(frozen["dtype"])
    try:
        return op.attrs_type(**frozen)
    except TypeError:
        known = [f.name for f in dataclasses.fields(op.attrs_type)]
        unknown = sorted(set(frozen) - set(known))
        raise TypeError(f"op {op.name!r} got unknown attribute(s) {unknown}; it takes {known}") from None


# -- input conversion ----------------------------------------------------------------
def is_symbolic(x) -> bool:
    from ..variables import Variable

    return isinstance(x, (SymbolicTensor, Variable))


def spec_of(value) -> TensorSpec:
    """The shape and dtype of a symbolic tensor, Variable, array (numpy or jax, tracers too), list or Python
    scalar (Python numbers as Keras reads them: int32, float32, bool)."""
    if is_symbolic(value):
        return value.spec
    if isinstance(value, bool):
        return TensorSpec.of((), "bool")
    if isinstance(value, int):
        return TensorSpec.of((), "int32")
    if isinstance(value, float):
        return TensorSpec.of((), "float32")
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return TensorSpec.of(value.shape, value.dtype)
    return TensorSpec.of(np.shape(value), np.asarray(value).dtype)


def _weak_dtype(value, others: list) -> str:
    """Python scalars take the dtype of the tensors they meet, as numpy's weak types do."""
    import jax.numpy as jnp

    if isinstance(value, bool):
        return "bool"
    for t in others:
        if isinstance(t, SymbolicTensor):
            return canonical_dtype(jnp.result_type(jnp.dtype(t.dtype), value))
    return "float32" if isinstance(value, float) else "int32"


def constant(value, dtype=None, graph=None) -> SymbolicTensor:
    """A constant node. The array lives in the node's `value`; attrs hold shape, dtype and a digest."""
    graph = graph or default_graph()
    array = np.asarray(value)
    # NOTE: astype wraps a Python int outside the dtype's range (300 as int8), as jax does; asarray would raise
    array = array.astype(canonical_dtype(dtype) if dtype else canonical_dtype(array.dtype))
    digest = hashlib.sha1(array.tobytes()).hexdigest()[:16] if array.size <= 4096 else f"id{id(array)}"
    attrs = OPS["constant"].attrs_type(shape=array.shape, dtype=array.dtype.name, digest=digest)
    node = graph.add_node("constant", attrs, [], [TensorSpec.of(array.shape, array.dtype)], value=array)
    return graph.tensor(node)


def to_symbolic(x, others: list = ()) -> SymbolicTensor:
    from ..variables import Variable

    if isinstance(x, SymbolicTensor):
        return x
    if isinstance(x, Variable):
        return x.symbolic()
    if isinstance(x, (bool, int, float)):
        return constant(x, _weak_dtype(x, list(others)))
    return constant(np.asarray(x))


# -- applying ops --------------------------------------------------------------------
def _describe_shapes(specs) -> str:
    return ", ".join(str(tuple(s.shape)) for s in specs)


def shape_error(op: OpDef, specs, rule: str, hint: str = "") -> ShapeError:
    frame = current_frame()
    where = f"Layer {frame.layer.name!r} " if frame.layer is not None else ""
    if frame.layer is not None and len(frame.scope) > 1:
        where = f"Layer {'/'.join(frame.scope)!r} "
    msg = f"{where}(op {op.name!r}): {rule}. Received: input shape{'s' if len(specs) != 1 else ''} {_describe_shapes(specs)}"
    msg += f" with dtype{'s' if len(specs) != 1 else ''} {', '.join(s.dtype for s in specs)}."
    if hint:
        msg += f" Hint: {hint}."
    return ShapeError(msg)


def infer(op: OpDef, specs: list, attrs) -> tuple:
    """Run the shape rule; always returns a tuple of output specs."""
    try:
        out = op.shape(specs, attrs)
    except RuleViolation as err:
        raise shape_error(op, specs, err.rule, err.hint) from None
    return (out,) if isinstance(out, TensorSpec) else tuple(out)


def apply(name: str, inputs, **attrs):
    """Add one op node (or run it eagerly on concrete arrays). Returns a tensor or a tuple."""
    op = get_op(name)
    attrs_obj = make_attrs(op, attrs)
    inputs = list(inputs)
    if op.num_inputs is not None and len(inputs) != op.num_inputs:
        raise TypeError(f"op {name!r} takes {op.num_inputs} input(s), got {len(inputs)}")
    frame = current_frame()
    if frame.tracer is not None:  # tracing a control-flow body: outer values become the body's inputs
        inputs = [frame.tracer.capture(x) if is_symbolic(x) else x for x in inputs]
    if not any(is_symbolic(x) for x in inputs):
        if inputs or (frame.layer is None and frame.tracer is None):
            return run_eagerly(op, attrs_obj, inputs)
        # an input-less op (random_uniform) inside a layer's call belongs to the graph
        out_specs = infer(op, [], attrs_obj)
        graph = default_graph()
        node = graph.add_node(name, attrs_obj, [], out_specs)
        outs = tuple(graph.tensor(node, i) for i in range(len(out_specs)))
        return outs[0] if len(outs) == 1 else outs
    symbolic = [x for x in inputs if isinstance(x, SymbolicTensor)]
    tensors = [to_symbolic(x, symbolic) for x in inputs]
    specs = [t.spec for t in tensors]
    out_specs = infer(op, specs, attrs_obj)
    graph = tensors[0].graph
    node = graph.add_node(name, attrs_obj, tensors, out_specs)
    outs = tuple(graph.tensor(node, i) for i in range(len(out_specs)))
    return outs[0] if len(outs) == 1 and not _always_tuple(op) else outs


def _always_tuple(op: OpDef) -> bool:
    return op.name in MULTI_OUTPUT


MULTI_OUTPUT: set[str] = set()  # ops whose outputs are a tuple even when there is one (split)


def lower_node(op: OpDef, kwargs: dict, args: list, rng, salt: int, training: bool) -> tuple:
    """Run one node's lowering while a program is traced (codegen and control-flow bodies share this).

    Each random node gets its own key: its `salt` (its ordinal among the program's random nodes) folded
    into the program's key."""
    if op.random or op.training_dependent:
        kwargs = dict(kwargs)
        if op.random:
            import jax

            kwargs["rng"] = jax.random.fold_in(rng, salt)
        if op.training_dependent:
            kwargs["training"] = training
    out = op.lower(*args, **kwargs)
    return out if isinstance(out, tuple) else (out,)


def run_eagerly(op: OpDef, attrs, inputs):
    """The op on concrete arrays (or a user's jax tracers), with the same checks as in a graph.

    The lowering runs as one jitted function per (op, attrs), so an op made of many jnp calls costs one
    dispatch; a lowering that needs concrete values (eager-only ops such as nonzero) runs op by op."""
    import jax.numpy as jnp

    from ..random_state import next_key

    arrays = [jnp.asarray(x) for x in inputs]
    specs = [TensorSpec.of(a.shape, a.dtype) for a in arrays]
    infer(op, specs, attrs)  # the same errors eagerly as symbolically
    rng = next_key() if op.random else None
    # the attribute types join the key: attrs with 1 and True (or 1.0) compare equal but may lower differently
    key = (op.name, attrs, tuple(type(v) for v in vars(attrs).values()))
    try:
        if key not in _NEEDS_VALUES:
            return _jitted_lowering(key)(arrays, rng)
    except TypeError as err:  # unhashable attrs cannot key the cache; a lowering's own TypeError repeats below
        if "unhashable" not in str(err):
            _NEEDS_VALUES.add(key)
    except _concrete_value_errors():
        _NEEDS_VALUES.add(key)
    return _lower_once(op, attrs, arrays, rng)


_NEEDS_VALUES: set = set()   # (op, attrs) whose lowering reads concrete values: never jitted again


def _lower_once(op: OpDef, attrs, arrays, rng):
    kwargs = op.attr_dict(attrs)
    if op.random:
        kwargs["rng"] = rng
    if op.training_dependent:
        kwargs["training"] = False
    return op.lower(*arrays, **kwargs)


@functools.lru_cache(maxsize=4096)
def _jitted_lowering(key):
    import jax

    name, attrs, _ = key
    op = OPS[name]
    return jax.jit(lambda arrays, rng: _lower_once(op, attrs, arrays, rng))


def _concrete_value_errors() -> tuple:
    import jax

    return (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
            jax.errors.TracerIntegerConversionError, jax.errors.TracerBoolConversionError)
