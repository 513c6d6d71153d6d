"""`symk.tree` (Keras's keras.tree): flatten, map and compare nested structures, on optree.

The rules are Keras's (which also runs on optree): lists, tuples, namedtuples, dicts (values in sorted-key
order), OrderedDicts (in insertion order), defaultdicts and deques are nodes; everything else, None and
subclasses of list or tuple included, is a leaf. symk's TensorShape nests like the tuple a Keras shape is.

    symk.tree.flatten({"b": [1, None], "a": 2})            # [2, 1, None]
    symk.tree.map_structure(lambda v: v * 2, (1, [2]))     # (2, [4])
"""
from __future__ import annotations

import warnings

import optree

from .shapes import TensorShape

__all__ = ["MAP_TO_NONE", "assert_same_paths", "assert_same_structure", "flatten", "flatten_with_path",
           "is_nested", "lists_to_tuples", "map_shape_structure", "map_structure", "map_structure_up_to",
           "pack_sequence_as", "traverse"]


class MAP_TO_NONE:
    """Returned by a `traverse` function to replace a sub-tree by None (returning None means "keep going")."""


# symk's own node types live in this optree namespace, so registering them changes no other library's trees
NAMESPACE = "symk"
optree.register_pytree_node(TensorShape, lambda shape: (tuple(shape), None), lambda _, sizes: TensorShape(sizes),
                            namespace=NAMESPACE)


def _is_leaf(value) -> bool:
    return optree.tree_is_leaf(value, none_is_leaf=True, namespace=NAMESPACE)


def is_nested(structure):
    """True for a list, tuple, namedtuple, dict or deque; False for a leaf (None, a tensor, a number, a string)."""
    return not _is_leaf(structure)


def flatten(structure):
    """The leaves in order, as a list: `flatten({"b": 1, "a": [2, None]})` is `[2, None, 1]`."""
    return optree.tree_leaves(structure, none_is_leaf=True, namespace=NAMESPACE)


def flatten_with_path(structure):
    """`(path, leaf)` pairs; a path is the tuple of indices and keys leading to the leaf."""
    paths, leaves, _ = optree.tree_flatten_with_path(structure, none_is_leaf=True, namespace=NAMESPACE)
    return list(zip(paths, leaves))


def _same_structure_check(func, none_is_leaf: bool):
    """`func`, refusing to run when a later structure holds a sub-tree where the first holds a leaf
    (optree alone would hand the sub-tree to `func`)."""
    def checked(*leaves):
        if not all(optree.tree_is_leaf(leaf, none_is_leaf=none_is_leaf, namespace=NAMESPACE) for leaf in leaves):
            raise ValueError("Structures don't have the same nested structure.")
        return func(*leaves)
    return checked


def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied leaf by leaf to structures of one layout; with `none_is_leaf=False` Nones stay None."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    if len(structures) == 1:
        return optree.tree_map(func, structures[0], none_is_leaf=none_is_leaf, namespace=NAMESPACE)
    return optree.tree_map(_same_structure_check(func, none_is_leaf), *structures, none_is_leaf=none_is_leaf,
                           namespace=NAMESPACE)


def map_structure_up_to(shallow_structure, func, *structures):
    """`func` applied to the sub-trees of `structures` found at the leaves of `shallow_structure`.

    `map_structure_up_to([None, None], len, [[1, 1], [2, 2]])` is `[2, 2]`.
    NOTE: Keras 3.15 documents this example but raises on it (its check takes None for a node); symk
    treats None in `shallow_structure` as a leaf, as documented, and agrees with Keras wherever Keras answers.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")

    def at_shallow_leaf(shallow_leaf, *subtrees):
        return func(*subtrees)

    return optree.tree_map(at_shallow_leaf, shallow_structure, *structures, none_is_leaf=True, namespace=NAMESPACE)


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError unless `a` and `b` nest alike (list, tuple and namedtuple differ; dict kinds do not)."""
    if check_types is not None:
        advice = "remove it" if check_types else \
            "for a looser check use symk.tree.assert_same_paths(), which lets list, tuple, namedtuple and deque match"
        warnings.warn(f"assert_same_structure: the `check_types` argument is deprecated and has no effect; {advice}.",
                      DeprecationWarning, stacklevel=2)
    optree.tree_map(_same_structure_check(lambda *_: None, True), a, b, none_is_leaf=True, namespace=NAMESPACE)


def assert_same_paths(a, b):
    """Raise ValueError unless `a` and `b` have the same leaf paths (the kinds of sequence may differ)."""
    a_paths = set(optree.tree_paths(a, none_is_leaf=True, namespace=NAMESPACE))
    b_paths = set(optree.tree_paths(b, none_is_leaf=True, namespace=NAMESPACE))
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def pack_sequence_as(structure, flat_sequence):
    """The leaves of `flat_sequence`, in order, placed into the layout of `structure` (flatten's inverse)."""
    spec = optree.tree_structure(structure, none_is_leaf=True, namespace=NAMESPACE)
    return optree.tree_unflatten(spec, flat_sequence)


def traverse(func, structure, top_down=True):
    """Depth-first walk calling `func` on every sub-tree, leaves included; returns the rebuilt structure.

    Top-down, a result other than None replaces the sub-tree and stops the descent into it; bottom-up,
    children are rebuilt first and a result other than None replaces the rebuilt sub-tree. Return
    `MAP_TO_NONE` to put None in place of a sub-tree.
    """
    def rebuilt_children():
        # one level: every value other than `structure` itself is a leaf of this flatten
        children, spec = optree.tree_flatten(structure, is_leaf=lambda x: x is not structure, none_is_leaf=True,
                                             namespace=NAMESPACE)
        if spec.num_nodes == 1 and spec.num_leaves == 1:
            return structure
        return optree.tree_unflatten(spec, [traverse(func, child, top_down=top_down) for child in children])

    if top_down:
        result = func(structure)
        if result is None:
            return rebuilt_children()
    else:
        kept = rebuilt_children()
        result = func(kept)
        if result is None:
            return kept
    return None if result is MAP_TO_NONE else result


def lists_to_tuples(structure):
    """The same structure with every list (at any depth) turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure, top_down=False)


def map_shape_structure(func, structure):
    """Like map_structure, but a list or tuple of ints and Nones (a shape) is one leaf handed to `func`."""
    def is_shape(value):
        return isinstance(value, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in value)

    return optree.tree_map(func, structure, is_leaf=is_shape, none_is_leaf=True, namespace=NAMESPACE)
