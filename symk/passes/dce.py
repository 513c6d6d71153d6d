"""Dead-code elimination: drop nodes that reach no output and no state update.

    before: x -> relu -> out,  x -> exp (unused)        after: x -> relu -> out
"""
from __future__ import annotations

from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject


@register_pass("dce", position=150, tags=("cleanup",))
def dead_code_elimination(subject: Subject, report: PassReport) -> None:
    """Remove every node that no output, input placeholder or state update (assign) depends on."""
    nxg = subject.nx
    roots = subject.output_nodes() | set(subject.inputs)
    roots |= {n for n, op in nxg.nodes(data="op") if op == "assign"}
    live, stack = set(roots), list(roots)
    while stack:  # one reverse walk from all roots at once: linear in the graph's size
        for src in nxg.predecessors(stack.pop()):
            if src not in live:
                live.add(src)
                stack.append(src)
    dead = [n for n in nxg.nodes if n not in live]
    by_layer: dict = {}
    for n in dead:
        report.note(f"removed unused {nxg.nodes[n]['name']} ({nxg.nodes[n]['op']})")
        by_layer.setdefault(layer_name(nxg.nodes[n]), []).append(nxg.nodes[n])
    for layer, datas in by_layer.items():
        where = layer_label(datas[0]) if layer else "outside any layer"
        report.detail("dead_code", (layer,), f"removed unused ops of {where}", tuple(d["name"] for d in datas))
    nxg.remove_nodes_from(dead)
    report.matched += len(dead)
