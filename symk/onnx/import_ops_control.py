"""ONNX import, control flow: If, Loop and Scan (graph attributes) as symk's region ops (ops.cond,
ops.while_loop, ops.scan), each body imported into the region's own traced graph.

A body reads outer values by name; the region's tracer turns those into inputs of the region node, so the
outer graph stays the one place parameters enter. An If whose condition is known at import time imports
only the branch taken. Loop with scan outputs (values stacked per iteration) is refused: its length can
depend on the values, and XLA needs it fixed.
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
        outs = body_importer(node, branch).run_body([])
        return outs
    pred = ops.reshape(cond, ())
    outs = ops.cond(pred, lambda: tuple(body_importer(node, "then_branch").run_body([])),
                    lambda: tuple(body_importer(node, "else_branch").run_body([])))
    return list(outs)


@def_import("Loop")
def _loop(node):
    body = node.attrs["body"].g
    num_vars = len(node.inputs) - 2
    if len(body.output) - 1 > num_vars:
        raise node.fail("Loop with scan outputs (values stacked per iteration) is not supported: the number of "
                        "iterations can depend on the values, and XLA needs fixed shapes")
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


def _moved(x, axis: int, to: int):
    rank = len(tuple(x.shape))
    axis = axis + rank if axis < 0 else axis
    return x if axis == to else ops.moveaxis(x, axis, to)


@def_import("Scan")
def _scan(node):
    if node.opset < 9:
        raise node.fail("Scan before opset 9 (with a sequence_lens input) is not supported")
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
