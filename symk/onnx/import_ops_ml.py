"""ONNX import, the ai.onnx.ml operators symk reads: Binarizer, ArrayFeatureExtractor, LabelEncoder (numbers in
the graph; strings, which have no JAX dtype, mapped at import time) and TreeEnsemble (opset 5).
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..shapes import canonical_dtype
from .import_ops_shape import shape_of
from .import_registry import def_import, is_static


# -- ai.onnx.ml: the operators that are one tensor expression --------------------------------------------------
@def_import("ai.onnx.ml:Binarizer")
def _binarizer(node):
    x = node.input(0)
    threshold = np.asarray(node.attr("threshold", 0.0), dtype=str(x.dtype))
    return ops.cast(ops.greater(x, threshold), str(x.dtype))


def _as_text(array):
    """Strings as numpy str (ONNX hands them over as bytes objects)."""
    return np.asarray([v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(array).reshape(-1)],
                      dtype=object).reshape(np.shape(array))


def _label_table(node) -> tuple:
    """(keys, values, default) of a LabelEncoder, from whichever of its attribute forms the node uses."""
    import onnx.numpy_helper

    def read(prefix):
        if f"{prefix}_tensor" in node.attrs:
            array = onnx.numpy_helper.to_array(node.attrs[f"{prefix}_tensor"])
            return _as_text(array) if array.dtype.kind in "OSU" else array
        for suffix, dtype in (("strings", object), ("int64s", np.int64), ("floats", np.float32)):
            if f"{prefix}_{suffix}" in node.attrs:
                return np.asarray(node.attr(f"{prefix}_{suffix}"), dtype=dtype)
        return None

    keys, values = read("keys"), read("values")
    if keys is None or values is None or len(keys) != len(values):
        raise node.fail("LabelEncoder needs keys and values of one length (keys_* and values_* attributes)")
    if "default_tensor" in node.attrs:
        default = onnx.numpy_helper.to_array(node.attrs["default_tensor"]).reshape(-1)[0]
    elif values.dtype == object:
        default = node.attr("default_string", "_Unused")
    elif values.dtype.kind == "i":
        default = node.attr("default_int64", -1)
    else:
        default = node.attr("default_float", -0.0)
    return keys, values, default


@def_import("ai.onnx.ml:LabelEncoder")
def _label_encoder(node):
    """Each key replaced by its value, anything else by the default. Strings (no JAX dtype) are mapped at import
    time, on inputs known then; numbers also at run time, by comparing with every key."""
    x = node.input(0)
    keys, values, default = _label_table(node)
    if is_static(x):
        x = np.asarray(x)
        table = dict(zip((_as_text(keys) if keys.dtype == object else keys).tolist(), values.tolist()))
        items = (_as_text(x) if x.dtype.kind in "OSU" else x).reshape(-1).tolist()
        return np.asarray([table.get(item, default) for item in items], dtype=values.dtype).reshape(x.shape)
    if keys.dtype == object or values.dtype == object:
        raise node.fail("LabelEncoder of strings needs its input known at import time (symk's graph has no string "
                        "dtype)")
    hits = ops.equal(ops.expand_dims(x, -1), keys.astype(str(x.dtype)))
    found = ops.any(hits, axis=-1)
    position = ops.argmax(ops.cast(hits, "int32"), axis=-1)
    table = values.astype(canonical_dtype(values.dtype.name))
    return ops.where(found, ops.take(table, position), np.asarray(default, dtype=table.dtype))


@def_import("ai.onnx.ml:ArrayFeatureExtractor")
def _array_feature_extractor(node):
    """The columns (last axis) that the indices name."""
    from .import_ops_shape import positive_indices

    x, indices = node.input(0), node.input(1)
    flat = ops.reshape(indices, (-1,)) if not is_static(indices) else np.asarray(indices).reshape(-1)
    return ops.take(x, ops.cast(positive_indices(flat, shape_of(x)[-1]), "int32"), axis=-1)


# -- ai.onnx.ml TreeEnsemble: every tree walked at once, one level per step ----------------------------------
TREE_MODES = ("LEQ", "LT", "GTE", "GT", "EQ", "NEQ", "MEMBER")


def _tree_depth(true_ids, false_ids, true_leaf, false_leaf, root) -> int:
    """The number of comparisons on the longest path from root (the steps the walk needs)."""
    deepest, stack = 0, [(int(root), 1)]
    while stack:
        at, depth = stack.pop()
        deepest = max(deepest, depth)
        for child, is_leaf in ((true_ids[at], true_leaf[at]), (false_ids[at], false_leaf[at])):
            if not is_leaf:
                stack.append((int(child), depth + 1))
    return deepest


@def_import("ai.onnx.ml:TreeEnsemble")
def _tree_ensemble(node):
    """ONNX-ML's TreeEnsemble (opset 5): each (sample, tree) pair keeps the node it stands at and steps down one
    level per iteration (gathers of the node tables), until it reaches a leaf; the leaves' weights are then
    aggregated per target (sum, average, min or max)."""
    import onnx.numpy_helper

    def table(name, dtype=None):
        value = node.attrs.get(name)
        if value is None:
            return None
        array = onnx.numpy_helper.to_array(value) if hasattr(value, "data_type") else np.asarray(value)
        return array.astype(dtype) if dtype else array

    x = ops.cast(node.input(0), "float32")
    features, splits = table("nodes_featureids", np.int32), table("nodes_splits", np.float32)
    modes = table("nodes_modes", np.int32)
    true_ids, false_ids = table("nodes_truenodeids", np.int32), table("nodes_falsenodeids", np.int32)
    true_leaf, false_leaf = table("nodes_trueleafs", bool), table("nodes_falseleafs", bool)
    roots, weights, targets = table("tree_roots", np.int32), table("leaf_weights", np.float32), \
        table("leaf_targetids", np.int32)
    missing_true = table("nodes_missing_value_tracks_true", bool)
    missing_true = np.zeros(len(features), bool) if missing_true is None else missing_true
    n_targets = int(node.attr("n_targets"))
    aggregate, post = int(node.attr("aggregate_function", 1)), int(node.attr("post_transform", 0))
    if post not in (0, 1, 2):
        raise node.fail(f"post_transform {post} (SOFTMAX_ZERO or PROBIT) is not supported; NONE, SOFTMAX and "
                        "LOGISTIC are")
    # MEMBER nodes: their sets, in node order, separated by NaN in membership_values; a row per node
    members = np.full((len(features), 1), np.nan, np.float32)
    if np.any(modes == 6):
        if table("membership_values") is None:
            raise node.fail("BRANCH_MEMBER nodes need membership_values (their sets, separated by NaN)")
        sets = np.split(table("membership_values", np.float32), np.nonzero(np.isnan(table("membership_values")))[0])
        sets = [s[~np.isnan(s)] for s in sets][:int(np.sum(modes == 6))]
        members = np.full((len(features), max(len(s) for s in sets)), np.nan, np.float32)
        for row, values in zip(np.nonzero(modes == 6)[0], sets):
            members[row, :len(values)] = values
    batch, trees = shape_of(x)[0], len(roots)
    if batch is None:
        raise node.fail("TreeEnsemble needs the batch size known; pass fixed input shapes")
    degenerate = true_leaf[roots] & false_leaf[roots] & (true_ids[roots] == false_ids[roots])
    at = np.broadcast_to(roots, (batch, trees)).astype(np.int32)
    leaf = np.broadcast_to(np.where(degenerate, true_ids[roots], 0), (batch, trees)).astype(np.int32)
    done = np.broadcast_to(degenerate, (batch, trees))
    depth = max(_tree_depth(true_ids, false_ids, true_leaf, false_leaf, r) for r in roots)
    for _ in range(depth):
        value = ops.take_along_axis(x, ops.take(features, at), axis=1)
        split, mode = ops.take(splits, at), ops.take(modes, at)
        tests = [ops.less_equal(value, split), ops.less(value, split), ops.greater_equal(value, split),
                 ops.greater(value, split), ops.equal(value, split), ops.not_equal(value, split),
                 ops.any(ops.equal(ops.expand_dims(value, -1), ops.take(members, at, axis=0)), axis=-1)]
        passed = tests[0]
        for k in range(1, len(TREE_MODES)):
            passed = ops.where(ops.equal(mode, np.int32(k)), tests[k], passed)
        passed = ops.logical_or(passed, ops.logical_and(ops.isnan(value), ops.take(missing_true, at)))
        step = ops.where(passed, ops.take(true_ids, at), ops.take(false_ids, at))
        reaches_leaf = ops.logical_and(ops.logical_not(done), ops.where(passed, ops.take(true_leaf, at),
                                                                         ops.take(false_leaf, at)))
        leaf = ops.where(reaches_leaf, step, leaf)
        at = ops.where(ops.logical_or(done, reaches_leaf), at, step)
        done = ops.logical_or(done, reaches_leaf)
    hit = ops.equal(ops.expand_dims(ops.take(targets, leaf), -1), np.arange(n_targets, dtype=np.int32))
    weight = ops.expand_dims(ops.take(weights, leaf), -1)
    if aggregate in (0, 1):
        out = ops.sum(ops.where(hit, weight, np.float32(0)), axis=1)
        out = ops.divide(out, np.float32(trees)) if aggregate == 0 else out
    elif aggregate in (2, 3):
        edge = np.finfo(np.float32).max if aggregate == 2 else np.finfo(np.float32).min
        reduce = ops.min if aggregate == 2 else ops.max
        out = reduce(ops.where(hit, weight, np.float32(edge)), axis=1)
    else:
        raise node.fail(f"unknown aggregate_function {aggregate}")
    if post == 1:
        out = ops.softmax(out, axis=-1)
    elif post == 2:
        out = ops.sigmoid(out)
    return ops.cast(out, str(node.input(0).dtype))
