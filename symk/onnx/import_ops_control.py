"""ONNX import, control flow: If, Loop and Scan (graph attributes) as symk's region ops (ops.cond,
ops.while_loop, ops.scan), each body imported into the region's own traced graph.

A body reads outer values by name; the region's tracer turns those into inputs of the region node, so the
outer graph stays the one place parameters enter. An If whose condition is known at import time imports
only the branch taken. Loop with scan outputs (values stacked per iteration) becomes a scan when its number of
iterations is known at import time (a fixed trip count, a condition the body does not change); otherwise it is
refused, since the stacked length would depend on the values. Scan before opset 9 (batched, with sequence_lens)
runs one scan per batch element.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_registry import def_import, is_static


def body_importer(node, attr: str):
    from .importer import GraphImporter

    return GraphImporter(node.attrs[attr].g, node.opset, outer=node.importer, trainable=False)


@def_import("If")
def _if(node):
    cond = node.input(0)
    if is_static(cond):
        branch = "then_branch" if bool(np.asarray(cond).reshape(-1)[0]) else "else_branch"
        outs = body_importer(node, branch).run_body([], unrolled=True)  # imported inline: constants stay arrays
        return outs
    from .import_ops_misc import require_static_condition_for_sequences

    require_static_condition_for_sequences(node)
    pred = ops.reshape(cond, ())
    outs = ops.cond(pred, lambda: tuple(body_importer(node, "then_branch").run_body([])),
                    lambda: tuple(body_importer(node, "else_branch").run_body([])))
    return list(outs)


UNROLL_LIMIT = 64   # fixed-length loops up to this many iterations are unrolled (see _unrolled_loop)


def _condition_is_constant(body) -> bool:
    """True when the body hands its condition input back unchanged (directly, through Identity nodes, or as a
    constant true), so only the trip count decides how many iterations run."""
    import onnx.numpy_helper

    cond_in, name = body.input[1].name, body.output[0].name
    producers = {out: n for n in body.node for out in n.output}
    while name != cond_in:
        node = producers.get(name)
        if node is None:
            return False
        if node.op_type == "Identity":
            name = node.input[0]
        elif node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            return bool(onnx.numpy_helper.to_array(node.attribute[0].t).reshape(-1)[0])
        else:
            return False
    return True


@def_import("Loop")
def _loop(node):
    body = node.attrs["body"].g
    num_vars = len(node.inputs) - 2
    carries_sequence = any(isinstance(node.input(2 + i), list) for i in range(num_vars))
    if len(body.output) - 1 > num_vars or carries_sequence:   # a sequence (a list) cannot be a while_loop variable
        return _fixed_length_loop(node, body, num_vars, "with scan outputs" if len(body.output) - 1 > num_vars
                                  else "carrying a sequence")
    trip = node.input(0)
    keep_going = node.input(1)
    trip = np.asarray(np.iinfo(np.int32).max, np.int32) if trip is None else trip
    keep_going = np.asarray(True) if keep_going is None else keep_going
    carried = [node.input(2 + i) for i in range(num_vars)]

    def cond_fn(i, go, *values):
        return ops.logical_and(ops.less(i, ops.cast(ops.reshape(trip, ()), "int32")), ops.reshape(go, ()))

    def body_fn(i, go, *values):
        outs = body_importer(node, "body").run_body([ops.cast(i, "int64"), go, *values])
        new_go = ops.cast(ops.reshape(outs[0], ()), "bool")
        return (ops.add(i, np.int32(1)), new_go, *[ops.cast(o, str(v.dtype)) for o, v in zip(outs[1:], values)])

    start = (np.asarray(0, np.int32), np.asarray(bool(np.asarray(keep_going).reshape(-1)[0]))
             if is_static(keep_going) else ops.cast(ops.reshape(keep_going, ()), "bool"))
    result = ops.while_loop(lambda *s: cond_fn(*s), lambda *s: body_fn(*s), (*start, *carried))
    return list(result)[2:]


def _fixed_length_loop(node, body, num_vars: int, kind: str):
    """A Loop whose body also emits per-iteration values (stacked into scan outputs), or carries a sequence, as an
    unrolled loop or a scan of a fixed number of steps. That number must be known at import time: the trip count
    is given (a constant, or an integer input the backend fixes) and the body passes its condition through
    unchanged, so the values cannot stop it early."""
    if not node.has_input(0):
        raise node.fail(f"a Loop {kind} needs a trip count: without one the number of iterations (the length of "
                        "the stacked outputs) depends on the values, and XLA needs it fixed")
    if not _condition_is_constant(body):
        raise node.fail(f"a Loop {kind} whose body computes its condition is not supported: the values decide "
                        "when it stops, so the length of its results is unknown until run time")
    trip = int(node.static(0).reshape(-1)[0])
    go = bool(node.static(1).reshape(-1)[0]) if node.has_input(1) else True
    steps = max(trip, 0) if go else 0
    carried = [node.input(2 + i) for i in range(num_vars)]
    if steps <= UNROLL_LIMIT:
        return _unrolled_loop(node, steps, num_vars, carried)
    if kind == "carrying a sequence":
        raise node.fail(f"a Loop carrying a sequence is unrolled, and {steps} iterations are more than the "
                        f"{UNROLL_LIMIT} symk unrolls; carry tensors (stack the values) instead")

    def step(state, _):
        i, values = state[0], state[1:]
        outs = body_importer(node, "body").run_body([ops.cast(i, "int64"), np.asarray(True), *values])
        new_values = [ops.cast(o, str(v.dtype)) for o, v in zip(outs[1:1 + num_vars], values)]
        return [ops.add(i, np.int32(1)), *new_values], list(outs[1 + num_vars:])

    final, stacked = ops.scan(step, [np.asarray(0, np.int32), *carried], None, length=steps)
    return list(final)[1:] + list(stacked)


def _unrolled_loop(node, steps: int, num_vars: int, carried: list):
    """The body imported once per iteration with the iteration number a constant, so a body that slices or
    indexes by it (Slice from iter_count) gets the static starts symk's shape ops need."""
    from .importer import GraphImporter

    body = node.attrs["body"].g
    values, stacked = list(carried), []
    for i in range(steps):
        importer = GraphImporter(body, node.opset, outer=node.importer, trainable=False)
        for info, value in zip(body.input, [np.asarray(i, np.int64), np.asarray(True), *values]):
            importer.env[info.name] = value
        importer.run_nodes()
        outs = [importer.lookup(o.name, None) for o in body.output]
        values = [o if isinstance(o, list) or v is None or str(o.dtype) == str(v.dtype) else ops.cast(o, str(v.dtype))
                  for o, v in zip(outs[1:1 + num_vars], values)]
        stacked.append(outs[1 + num_vars:])
    if not stacked or not stacked[0]:
        if len(body.output) - 1 > num_vars:
            raise node.fail("a Loop with scan outputs that runs no iteration has stacked outputs of unknown shape")
        return values
    return values + [ops.stack([per_step[k] for per_step in stacked], axis=0) for k in range(len(stacked[0]))]


def _moved(x, axis: int, to: int):
    rank = len(tuple(x.shape))
    axis = axis + rank if axis < 0 else axis
    return x if axis == to else ops.moveaxis(x, axis, to)


@def_import("Scan")
def _scan(node):
    if node.opset < 9:
        return _scan_batched(node)
    m = node.attr("num_scan_inputs")
    values = [v for v in node.inputs]
    n = len(values) - m
    init, xs = values[:n], values[n:]
    in_axes = node.attr("scan_input_axes") or [0] * m
    in_dirs = node.attr("scan_input_directions") or [0] * m
    xs = [_moved(x, a, 0) for x, a in zip(xs, in_axes)]
    xs = [ops.flip(x, axis=0) if d else x for x, d in zip(xs, in_dirs)]

    def step(carry, x):
        outs = body_importer(node, "body").run_body([*carry, *x])
        return list(outs[:n]), list(outs[n:])

    carry, ys = ops.scan(step, list(init), list(xs))
    ys = list(ys)
    k = len(ys)
    out_axes = node.attr("scan_output_axes") or [0] * k
    out_dirs = node.attr("scan_output_directions") or [0] * k
    ys = [ops.flip(y, axis=0) if d else y for y, d in zip(ys, out_dirs)]
    ys = [_moved(y, 0, a if a >= 0 else a + len(tuple(y.shape))) for y, a in zip(ys, out_axes)]
    return list(carry) + ys


def _scan_batched(node):
    """Scan before opset 9: inputs are (sequence_lens, states..., scan inputs...) with a leading batch axis, scan
    inputs (batch, seq, ...). Each batch element runs its own scan (ONNX's semantics), and the results are
    stacked; sequence_lens may only say 'every sequence is full'."""
    m = node.attr("num_scan_inputs")
    values = node.inputs[1:]
    n = len(values) - m
    init, xs = values[:n], values[n:]
    steps = tuple(xs[0].shape)[1]
    if node.has_input(0):
        lengths = node.static(0).reshape(-1)
        if np.any(lengths != steps):
            raise node.fail(f"sequence_lens {lengths.tolist()} shorter than the {steps} steps of the scan inputs are "
                            "not supported (the stacked outputs would be ragged)")
    directions = node.attr("directions") or [0] * m
    batch = tuple(init[0].shape)[0] if init else tuple(xs[0].shape)[0]
    finals, stacked = [], []
    for b in range(batch):
        seqs = [ops.flip(x[b], axis=0) if d else x[b] for x, d in zip(xs, directions)]

        def step(carry, x):
            outs = body_importer(node, "body").run_body([*carry, *x])
            return list(outs[:n]), list(outs[n:])

        carry, ys = ops.scan(step, [v[b] for v in init], seqs)
        finals.append(list(carry))
        stacked.append(list(ys))
    return [ops.stack([f[i] for f in finals], axis=0) for i in range(n)] + \
        [ops.stack([y[i] for y in stacked], axis=0) for i in range(len(stacked[0]))]
