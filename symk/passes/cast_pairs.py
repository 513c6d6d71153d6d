"""Cast pairs: drop casts that cannot change a value, and collapse cast chains whose first step is exact.

    before: y = cast(cast(x: bfloat16, float32), bfloat16)     after: y = x
    before: y = cast(cast(x: float16, float32), bfloat16)      after: y = cast(x, bfloat16)
    before: y = cast(x: float32, float32)                      after: y = x
    kept:   y = cast(cast(x: float32, bfloat16), float32)      (the bfloat16 step rounds x: not a no-op)

Mixed precision puts a cast at every layer boundary (bf16 outputs into a float32 softmax, float32
weights read in bf16); chains of them are what this pass removes. A chain x -> a -> b collapses to
x -> b only when x -> a represents every value of x exactly, so one rounding (a -> b) happens either way.
"""
from __future__ import annotations

import numpy as np

from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject, describe, input_refs, remove_unused, replace_uses, rewrite_in_place

_FLOATS = ("float16", "bfloat16", "float32", "float64")
# exact conversions numpy's "safe" casting cannot tell (it does not know bfloat16)
_EXACT_TO_BFLOAT16 = ("bool", "int8", "uint8", "bfloat16")
_EXACT_FROM_BFLOAT16 = ("bfloat16", "float32", "float64")


def is_exact_cast(source: str, target: str) -> bool:
    """True when casting `source` to `target` keeps every value (bfloat16 -> float32, int8 -> int32, ...)."""
    if source == target:
        return True
    if target == "bfloat16":
        return source in _EXACT_TO_BFLOAT16
    if source == "bfloat16":
        return target in _EXACT_FROM_BFLOAT16
    try:
        return bool(np.can_cast(np.dtype(source), np.dtype(target), casting="safe"))
    except TypeError:
        return False


def _collapsible(source: str, middle: str, target: str) -> bool:
    """cast(cast(x: source, middle), target) == cast(x, target) for every x."""
    if not is_exact_cast(source, middle):
        return False
    # NOTE: float -> integer of an out-of-range value (inf, nan, 1e30) is implementation-defined and may differ
    # by source dtype, so such chains are kept
    return not (source in _FLOATS and target not in _FLOATS and target != "bool")


def _spec(subject: Subject, ref):
    return subject.nx.nodes[ref[0]]["specs"][ref[1]]


@register_pass("cast_pairs", position=310, modes=("inference",), tags=("algebra", "dtypes"))
def cast_pairs(subject: Subject, report: PassReport) -> None:
    """Remove casts to the dtype a tensor already has and collapse exact cast chains."""
    nxg, touched = subject.nx, []
    for node in subject.graph.topological_order():
        data = nxg.nodes.get(node)
        if data is None or data["op"] != "cast":
            continue
        (source,) = input_refs(subject, node)
        target = data["specs"][0].dtype
        label, layer, name = layer_label(data), layer_name(data), data["name"]
        if _spec(subject, source) == data["specs"][0]:
            if nxg.nodes[node]["op"] == "cast" and replace_uses(subject, (node, 0), source):
                report.matched += 1
                report.detail("simplified", (layer,), f"{label}: cast to {target}, the dtype it has, removed", (name,))
                report.note(f"{describe(subject, node)}: a cast to the dtype its input has")
                touched.append(node)
            continue
        inner = nxg.nodes[source[0]]
        if inner["op"] != "cast":
            continue
        (origin,) = input_refs(subject, source[0])
        first, middle = _spec(subject, origin).dtype, _spec(subject, source).dtype
        if not _collapsible(first, middle, target):
            continue
        report.matched += 1
        if first == target and _spec(subject, origin) == data["specs"][0]:
            if not replace_uses(subject, (node, 0), origin):
                report.matched -= 1
                continue
            report.detail("simplified", (layer,), f"{label}: casts {first} -> {middle} -> {target} removed", (name,))
            report.note(f"{describe(subject, node)}: casts {first} -> {middle} -> {target} are the identity")
        else:
            rewrite_in_place(subject, node, "cast", [origin], provenance=(inner["name"],), dtype=target)
            report.detail("simplified", (layer,), f"{label}: casts {first} -> {middle} -> {target} made one cast",
                          (name,))
            report.note(f"{describe(subject, node)}: casts {first} -> {middle} -> {target} collapsed to one")
        touched += [node, source[0]]
    remove_unused(subject, touched)
