"""Training specialization: resolve training-dependent nodes whose flag is known for this pipeline.

In the inference pipeline (and for layer calls given an explicit `training=`):
    training_select(train_branch, inference_branch) -> the branch that runs
    dropout(x) when not training                     -> x
    assign(variable, variable's own value)            -> removed (a no-op state update)
The branch that no longer runs is left for dead-code elimination.
"""
from __future__ import annotations

from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject, describe, input_refs, replace_uses

# NOTE: these are patterns, so they name their ops; other training-dependent ops keep their
# run-time flag (their lowering already handles training=False correctly).
_SELECT, _DROPOUT = "training_select", "dropout"


@register_pass("specialize_training", position=100, tags=("specialize",))
def specialize_training(subject: Subject, report: PassReport) -> None:
    """Replace training-dependent nodes by the input that runs under this pipeline's training flag."""
    nxg = subject.nx
    for node in subject.graph.topological_order():
        if node not in nxg:
            continue
        data = nxg.nodes[node]
        op = data["op"]
        if op == _SELECT:
            training = subject.effective_training(node)
            chosen = input_refs(subject, node)[0 if training else 1]
            what = "training" if training else "inference"
        elif op == _DROPOUT and (not subject.effective_training(node) or data["attrs"].rate == 0):
            chosen, what = input_refs(subject, node)[0], "identity"
        elif op == "assign":
            (src, _), = input_refs(subject, node)
            source = nxg.nodes[src]
            if source["op"] == "parameter" and source["attrs"].path == data["attrs"].path:
                nxg.remove_node(node)
                report.matched += 1
                report.note(f"dropped no-op state update of {data['attrs'].path}")
                report.detail("state_update_dropped", (layer_name(data),),
                              f"{layer_label(data)}: its no-op update of {data['attrs'].path} dropped", (data["name"],))
            continue
        else:
            continue
        # read before replace_uses: an output node is rewritten in place as an identity
        label, layer, what_op, name = layer_label(data), layer_name(data), op, data["name"]
        rate = getattr(data["attrs"], "rate", None)
        if replace_uses(subject, (node, 0), chosen):
            report.matched += 1
            report.note(f"{describe(subject, node)} -> its {what} branch")
            if what_op == _DROPOUT:
                report.detail("dropout_removed", (layer,), f"{label}: dropout removed (rate {rate}, not training)",
                              (name,))
            else:
                report.detail("inference_branch", (layer,), f"{label}: runs its {what} branch only", (name,))
            if nxg.out_degree(node) == 0 and node not in subject.output_nodes():
                nxg.remove_node(node)
