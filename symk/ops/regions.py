"""What every control-flow region shares: its flags, the symbolic-or-eager decision, spec checks, the node.

Region node inputs are the flat operands, then each body's captured values in body order; its attrs
hold the bodies (symk/ops/body.py). Region ops are opaque to the passes (flag `opaque`) and never fold.
"""
from __future__ import annotations

import jax

from ..errors import RuleViolation
from ..graph import current_frame
from ..shapes import TensorSpec
from .body import flatten
from .registry import apply, is_symbolic, to_symbolic

REGION_FLAGS = dict(foldable=False, random=True, training_dependent=True, opaque=True)


def building_graph(*trees) -> bool:
    """Symbolic mode: an operand is symbolic, or a layer call / body trace is being built."""
    frame = current_frame()
    if frame.tracer is not None or frame.layer is not None:
        return True
    return any(is_symbolic(leaf) for tree in trees for leaf in flatten(tree)[0])


def symbolic_leaves(tree) -> tuple:
    leaves, treedef = flatten(tree)
    return [to_symbolic(leaf) for leaf in leaves], treedef


def split(values, counts) -> list:
    """Cut a flat list into consecutive pieces of the given sizes."""
    pieces, start = [], 0
    for count in counts:
        pieces.append(list(values[start:start + count]))
        start += count
    return pieces


def describe_specs(specs) -> str:
    return "[" + ", ".join(f"{tuple(s.shape)} {s.dtype}" for s in specs) + "]"


def same_spec(a: TensorSpec, b: TensorSpec) -> bool:
    return a.dtype == b.dtype and len(a.shape) == len(b.shape) and all(
        x is None or y is None or x == y for x, y in zip(a.shape, b.shape))


def check_matching(expected, got, what: str, hint: str) -> None:
    """Two lists of specs agree in count, shapes and dtypes, or a RuleViolation names the first mismatch."""
    if len(expected) != len(got):
        raise RuleViolation(f"{what}: {len(got)} values where {len(expected)} are expected "
                            f"({describe_specs(got)} vs {describe_specs(expected)})", hint)
    for i, (e, g) in enumerate(zip(expected, got)):
        if not same_spec(e, g):
            raise RuleViolation(f"{what}: value {i} has shape {tuple(g.shape)} and dtype {g.dtype}, but "
                                f"{tuple(e.shape)} and dtype {e.dtype} are expected", hint)


def check_structure(tree_a, tree_b, what: str) -> None:
    if tree_a != tree_b:
        raise ValueError(f"{what}: the structures differ ({tree_a} vs {tree_b}); return the same nesting of "
                         "tensors from both")


def region(name: str, inputs: list, out_tree, **attrs):
    """Add one region node and give back its outputs in the body's structure."""
    outs = apply(name, inputs, **attrs)
    return jax.tree_util.tree_unflatten(out_tree, list(outs))


def scalar_predicate(spec: TensorSpec, what: str) -> None:
    if spec.shape.rank != 0 and tuple(spec.shape) != (1,):
        raise RuleViolation(f"the {what} must be a scalar, got shape {tuple(spec.shape)}",
                            "reduce it first, e.g. ops.all(...) or ops.sum(...) > 0")


def merged(a, b) -> tuple:
    """The specs of two agreeing branches, with known sizes where either knows them."""
    return tuple(TensorSpec.of([x if x is not None else y for x, y in zip(s.shape, t.shape)], s.dtype)
                 for s, t in zip(a, b))


