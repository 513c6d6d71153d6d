"""Constant folding: ops whose inputs are all constants are evaluated once, at compile time.

    before: c = constant(2.0); y = x * exp(c)        after: y = x * constant(7.389)
Only foldable, deterministic ops fold, and only when the result is no larger than its inputs
(or tiny): folding must never grow the model. Weights are folded by `fold_weights`, not here.
"""
from __future__ import annotations

import hashlib

import jax
import numpy as np

from ..ops.registry import get_op
from ..shapes import canonical_dtype
from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject, add_op, describe, input_refs, remove_unused, replace_uses

SMALL = 64  # results up to this many elements fold even when their inputs are smaller (e.g. a range)


def foldable(op) -> bool:
    return op.foldable and op.lower is not None and not (op.random or op.training_dependent or op.stateful)


def add_constant(subject: Subject, value, like=None, provenance=()) -> int:
    """A constant node holding `value` (digest as the registry makes it, so CSE can merge equal ones)."""
    array = np.asarray(value)
    array = array.astype(canonical_dtype(array.dtype))
    digest = hashlib.sha1(array.tobytes()).hexdigest()[:16] if array.size <= 4096 else f"id{id(array)}"
    node = add_op(subject, "constant", [], like=like, provenance=provenance, shape=array.shape,
                  dtype=array.dtype.name, digest=digest)
    subject.nx.nodes[node]["value"] = array
    return node


def evaluate(op, attrs, arrays: list) -> tuple:
    """Run one op's lowering on host (CPU) arrays."""
    with jax.default_device(jax.devices("cpu")[0]):
        out = op.lower(*[jax.numpy.asarray(a) for a in arrays], **op.attr_dict(attrs))
    return tuple(np.asarray(o) for o in (out if isinstance(out, tuple) else (out,)))


@register_pass("constant_fold", position=400, tags=("fold",))
def constant_fold(subject: Subject, report: PassReport) -> None:
    """Replace each all-constant-input op by constant nodes of its results."""
    nxg, replaced = subject.nx, []
    for node in subject.graph.topological_order():
        data = nxg.nodes[node]
        op = get_op(data["op"])
        refs = input_refs(subject, node)
        if not refs or not foldable(op) or any(nxg.nodes[s]["op"] != "constant" for s, _ in refs):
            continue
        in_size = sum(nxg.nodes[s]["value"].size for s, _ in refs)
        out_size = sum(s.shape.num_elements() or 0 for s in data["specs"])
        if out_size > max(in_size, SMALL):
            report.note(f"kept {describe(subject, node)}: its {out_size} elements would outgrow its inputs")
            continue
        results = evaluate(op, data["attrs"], [nxg.nodes[s]["value"] for s, _ in refs])
        new_nodes = [add_constant(subject, r.astype(spec.dtype), like=node, provenance=(data["name"],))
                     for r, spec in zip(results, data["specs"])]
        if all(replace_uses(subject, (node, i), (c, 0)) for i, c in enumerate(new_nodes)):
            report.matched += 1
            report.note(f"folded {describe(subject, node)} into a constant")
            report.detail("constant_folded", (layer_name(data),),
                          f"{layer_label(data)}: {data['op']} on constants computed at compile time", (data["name"],))
            replaced.append(node)
        remove_unused(subject, new_nodes)
    remove_unused(subject, replaced)
