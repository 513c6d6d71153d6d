"""Linear merging (inference only): two matmuls by weights with no nonlinearity between them become one.

    before: y = bias_add(matmul(bias_add(matmul(x, A), a), B), b)      A: n x m, B: m x k
    after:  y = bias_add(matmul(x, A @ B), a @ B + b)
The merged kernel and bias read only weights, so `fold_weights` computes them on the host.
Merging pays only when it cuts work: per row it costs n*k multiply-adds against n*m + m*k,
so a bottleneck (a middle dimension m small enough that n*m + m*k <= n*k) is never merged.
Near misses stay: an inner result with another user, a kernel that is not a 2-D weight.
"""
from __future__ import annotations

from ..ops.registry import get_op
from .manager import register_pass
from .report import PassReport, ops_by_layer
from .rewrite import Subject, add_op, describe, input_refs, remove_unused, rewrite_in_place, single_user

_LEAVES = ("parameter", "constant")


class _Weights:
    """Whether a ref is computed from weights and constants only (memoized: linear over a pass)."""

    def __init__(self, subject: Subject):
        self.subject, self.known = subject, {}

    def __call__(self, node: int) -> bool:
        if node not in self.known:
            data = self.subject.nx.nodes[node]
            op = get_op(data["op"])
            refs = input_refs(self.subject, node)
            self.known[node] = data["op"] in _LEAVES or bool(refs) and op.foldable and op.lower is not None \
                and not (op.random or op.training_dependent or op.stateful) and all(self(s) for s, _ in refs)
        return self.known[node]


def _kernel(subject: Subject, matmul: int, is_weight) -> tuple:
    """(x ref, kernel ref) of a matmul by a 2-D weight, or None."""
    x_ref, kernel_ref = input_refs(subject, matmul)
    spec = subject.nx.nodes[kernel_ref[0]]["specs"][kernel_ref[1]]
    if len(spec.shape) != 2 or not is_weight(kernel_ref[0]):
        return None
    return x_ref, kernel_ref


def _bias_of(subject: Subject, node: int, is_weight):
    """The bias ref of a channels-last bias_add by a weight, or None."""
    data = subject.nx.nodes[node]
    if data["op"] != "bias_add" or data["attrs"].data_format != "channels_last":
        return None
    bias_ref = input_refs(subject, node)[1]
    return bias_ref if is_weight(bias_ref[0]) else None


def _match(subject: Subject, outer: int, is_weight):
    """(inner matmul, inner bias_add or None, x, A, a, B) for the matmul `outer`, or a reason, or None."""
    nxg = subject.nx
    outer_parts = _kernel(subject, outer, is_weight)
    if outer_parts is None:
        return None
    (h, _), kernel_b = outer_parts
    inner_bias, bias_a = None, None
    if nxg.nodes[h]["op"] == "bias_add":
        bias_a = _bias_of(subject, h, is_weight)
        if bias_a is None:
            return None
        inner_bias, h = h, input_refs(subject, h)[0][0]
    if nxg.nodes[h]["op"] != "matmul":
        return None
    inner_parts = _kernel(subject, h, is_weight)
    if inner_parts is None:
        return None
    for node, reader in ((h, inner_bias if inner_bias is not None else outer), (inner_bias, outer)):
        if node is not None and single_user(subject, node) != reader:
            return f"{describe(subject, node)} has other users"
    x_ref, kernel_a = inner_parts
    refs = [x_ref, kernel_a, kernel_b] + [r for r in (bias_a,) if r is not None] + [(outer, 0)]
    dtypes = {nxg.nodes[s]["specs"][i].dtype for s, i in refs}
    if len(dtypes) != 1:
        return f"its operands mix dtypes {sorted(dtypes)}"  # merged products would promote differently
    n, m = nxg.nodes[kernel_a[0]]["specs"][kernel_a[1]].shape
    k = nxg.nodes[kernel_b[0]]["specs"][kernel_b[1]].shape[1]
    if n * k >= n * m + m * k:
        return f"merging would not save work ({n}x{m} then {m}x{k}: {n * m + m * k} -> {n * k} multiply-adds per row)"
    return h, inner_bias, x_ref, kernel_a, bias_a, kernel_b


@register_pass("merge_linear", position=550, modes=("inference",), tags=("fuse", "weights"))
def merge_linear(subject: Subject, report: PassReport) -> None:
    """Merge each matmul(+bias) by a weight that directly follows another into one matmul(+bias)."""
    nxg, is_weight = subject.nx, _Weights(subject)
    for outer in subject.graph.topological_order():
        if outer not in nxg or nxg.nodes[outer]["op"] != "matmul":
            continue
        match = _match(subject, outer, is_weight)
        if not isinstance(match, tuple):
            if match:
                report.note(f"kept {describe(subject, outer)}: {match}")
            continue
        inner, inner_bias, x_ref, kernel_a, bias_a, kernel_b = match
        names = tuple(nxg.nodes[n]["name"] for n in (inner, inner_bias, outer) if n is not None)
        message = f"{' + '.join(describe(subject, n) for n in (inner, inner_bias, outer) if n is not None)} -> one matmul"
        merged_layers, merged_text = ops_by_layer([dict(nxg.nodes[n]) for n in (inner, inner_bias, outer)
                                                   if n is not None])
        # dtypes agree (checked by _match), so every rewrite keeps its node's spec
        merged_kernel = add_op(subject, "matmul", [kernel_a, kernel_b], like=outer, provenance=names)
        carried = None if bias_a is None else add_op(subject, "matmul", [bias_a, kernel_b], like=outer,
                                                     provenance=names)
        outer_bias = single_user(subject, outer)
        if outer_bias is not None and (_bias_of(subject, outer_bias, is_weight) is None or nxg.nodes[outer_bias][
                "specs"][0] != nxg.nodes[outer]["specs"][0]):
            outer_bias = None  # not a same-dtype bias of this matmul: a @ B gets its own bias_add
        if carried is None:
            rewrite_in_place(subject, outer, "matmul", [x_ref, (merged_kernel, 0)], provenance=names)
        elif outer_bias is not None:  # a @ B joins the outer bias: b' = a @ B + b
            combined = add_op(subject, "add", [(carried, 0), input_refs(subject, outer_bias)[1]], like=outer)
            rewrite_in_place(subject, outer, "matmul", [x_ref, (merged_kernel, 0)], provenance=names)
            rewrite_in_place(subject, outer_bias, "bias_add", [(outer, 0), (combined, 0)], provenance=names)
        else:  # the outer matmul becomes a bias_add of the merged product, keeping its node id
            product = add_op(subject, "matmul", [x_ref, (merged_kernel, 0)], like=outer, provenance=names)
            rewrite_in_place(subject, outer, "bias_add", [(product, 0), (carried, 0)], provenance=names)
        report.matched += 1
        report.note(message)
        report.detail("merged", merged_layers, f"merged {merged_text} into one matmul", names)
        remove_unused(subject, [n for n in (inner_bias, inner) if n is not None])
