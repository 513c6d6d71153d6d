"""Linear fusion: matmul/conv + bias_add (+ an elementwise activation) become one `fused_linear` node.

    before: y = relu(bias_add(matmul(x, W), b))       after: y = fused_linear(x, W, b, activation='relu')
Fewer nodes to walk, trace and verify; the lowering is the same composition, so XLA sees the
same work. Only chains whose inner results have no other users fuse. Off by default: measured,
it gains nothing beyond noise in first-call time or predict throughput (benchmarks/RESULTS.md);
enable it with optimize={'enable': ['fuse_linear']}.
"""
from __future__ import annotations

from ..ops.registry import get_op
from . import fused_ops  # noqa: F401  (declares fused_linear)
from .manager import register_pass
from .report import PassReport, ops_by_layer
from .rewrite import Subject, describe, input_refs, remove_unused, rewrite_in_place, single_user

_BASES = ("matmul", "conv")  # a pattern names its ops; the fused op composes any base's lowering


def _is_activation(data: dict) -> bool:
    op = get_op(data["op"])
    return (op.elementwise and op.num_inputs == 1 and op.lower is not None
            and not (op.random or op.training_dependent or op.stateful))


def _items(attrs) -> tuple:
    return tuple((k, getattr(attrs, k)) for k in attrs.__dataclass_fields__)


@register_pass("fuse_linear", position=700, default=False, tags=("fuse",))
def fuse_linear(subject: Subject, report: PassReport) -> None:
    """Rewrite the last node of each linear + bias (+ activation) chain as one fused_linear node."""
    nxg, dead = subject.nx, []
    for node in subject.graph.topological_order():
        data = nxg.nodes[node]
        if data["op"] == "bias_add":
            user = single_user(subject, node)
            if user is not None and _is_activation(nxg.nodes[user]):
                continue  # the activation will be the chain's root
            root, bias_node, activation = node, node, None
        elif _is_activation(data):
            (src, _), = input_refs(subject, node)
            if nxg.nodes[src]["op"] != "bias_add" or single_user(subject, src) != node:
                continue
            root, bias_node, activation = node, src, data
        else:
            continue
        (linear, _), bias_ref = input_refs(subject, bias_node)
        if nxg.nodes[linear]["op"] not in _BASES or single_user(subject, linear) != bias_node:
            continue
        x_ref, kernel_ref = input_refs(subject, linear)
        chain = [linear, bias_node] + ([root] if activation is not None else [])
        names = tuple(nxg.nodes[n]["name"] for n in chain)
        message = f"{' + '.join(describe(subject, n) for n in chain)} -> fused_linear"
        fused_layers, fused_text = ops_by_layer([dict(nxg.nodes[n]) for n in chain])
        try:
            rewrite_in_place(
                subject, root, "fused_linear", [x_ref, kernel_ref, bias_ref], provenance=names,
                base=nxg.nodes[linear]["op"], base_attrs=_items(nxg.nodes[linear]["attrs"]),
                data_format=nxg.nodes[bias_node]["attrs"].data_format,
                activation=None if activation is None else activation["op"],
                activation_attrs=() if activation is None else _items(activation["attrs"]))
        except Exception as err:  # a chain whose fused spec differs (dtype promotion) stays unfused
            report.note(f"kept {message}: {err}")
            continue
        report.matched += 1
        report.note(message)
        report.detail("fused", fused_layers, f"fused {fused_text} into one fused_linear", names)
        dead += [n for n in chain if n != root]
    remove_unused(subject, dead)
