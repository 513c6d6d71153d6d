"""symk.tree against Keras 3.15.1's keras.tree: every expected value and error below is what Keras returned
(JAX backend, optree 0.20) for the same call."""
import collections
import warnings

import numpy as np
import pytest

import symk
from symk import tree

Foo = collections.namedtuple("Foo", ["a", "b"])
AlsoFoo = collections.namedtuple("Foo", ["a", "b"])  # same name and fields, another type
OD = collections.OrderedDict


class MyList(list):
    """A list subclass: a leaf for Keras (and optree)."""


NESTED = {"b": [1, None], "a": (2, {"c": 3})}


@pytest.mark.parametrize("structure,expected", [
    (NESTED, [2, 3, 1, None]),
    (None, [None]),
    (1, [1]),
    ([], []),
    (OD(b=1, a=2), [1, 2]),                                   # insertion order
    (collections.defaultdict(int, {"z": 1, "y": 2}), [2, 1]),  # sorted keys
    (collections.deque([1, [2]]), [1, 2]),
    (MyList([1, 2]), [[1, 2]]),
    (Foo(a=[1], b=None), [1, None]),
    ({100: "world!", 6: "Hello"}, ["Hello", "world!"]),
    ([(), {}, [None]], [None]),
    ("ab", ["ab"]),
])
def test_flatten(structure, expected):
    assert tree.flatten(structure) == expected


def test_flatten_with_path():
    assert tree.flatten_with_path(NESTED) == [(("a", 0), 2), (("a", 1, "c"), 3), (("b", 0), 1), (("b", 1), None)]
    assert tree.flatten_with_path(Foo(1, [2])) == [((0,), 1), ((1, 0), 2)]
    assert tree.flatten_with_path(5) == [((), 5)]
    assert tree.flatten_with_path([]) == []


def test_is_nested():
    assert [tree.is_nested(s) for s in (None, [], "s", Foo(1, 2), MyList(), (1,), np.zeros(2), {"a": 1})] == \
        [False, True, False, True, False, True, False, True]


def test_tensors_and_variables_are_leaves():
    x = symk.backend.placeholder(shape=(None, 2))
    v = symk.Variable(np.zeros(2, "float32"), path="tree_leaf")
    assert tree.flatten({"x": x, "v": [v]}) == [v, x]


def test_map_structure():
    assert tree.map_structure(lambda v: v * 2, Foo(a=1, b=[2, 3])) == Foo(a=2, b=[4, 6])
    assert tree.map_structure(lambda v: v ** 2, [[1], [2], [3]]) == [[1], [4], [9]]
    assert tree.map_structure(lambda v: 0, [1, None]) == [0, 0]               # None is a leaf
    assert tree.map_structure(lambda v: v, [1, None], none_is_leaf=False) == [1, None]
    assert tree.map_structure(str, None) == "None"
    assert tree.map_structure(lambda a, b: a + b, {"a": 1}, OD(a=2)) == {"a": 3}  # dict kinds match
    assert tree.map_structure(lambda a, b: a, [1, None], [2, 3]) == [1, None]


@pytest.mark.parametrize("structures,message", [
    (([1, 2], [1, 2, 3]), "list arity mismatch; expected: 2, got: 3; list: [1, 2, 3]."),
    (([1, 2], [1, [2, 3]]), "Structures don't have the same nested structure."),
    (([1, [2]], [1, 2]), "Expected an instance of list, got 2."),
    (([1, 2], (1, 2)), "Expected an instance of list, got (1, 2)."),
    ((Foo(1, 2), AlsoFoo(1, 2)), "namedtuple type mismatch"),
    ((), "Must provide at least one structure"),
])
def test_map_structure_refuses_different_structures(structures, message):
    with pytest.raises(ValueError) as info:
        tree.map_structure(lambda *xs: 0, *structures)
    assert message in str(info.value)


def test_map_structure_up_to():
    assert tree.map_structure_up_to([1, [2, 3]], str, [[1, 1], [2, 2]]) == ["[1, 1]", ["2", "2"]]
    assert tree.map_structure_up_to({"a": 0}, lambda x, y: (x, y), {"a": [1]}, {"a": (2,)}) == {"a": ([1], (2,))}
    with pytest.raises(ValueError, match="list arity mismatch; expected: 3, got: 2"):
        tree.map_structure_up_to([1, 2, 3], str, [[1, 1], [2, 2]])
    with pytest.raises(ValueError, match="Expected an instance of list, got 2."):
        tree.map_structure_up_to([[1, 1], [2, 2]], str, [1, 2])
    with pytest.raises(ValueError, match="Must provide at least one structure"):
        tree.map_structure_up_to([0], len)


def test_map_structure_up_to_takes_none_as_a_leaf_as_keras_documents():
    # Keras 3.15 raises "Structures don't have the same nested structure." on its own docstring examples;
    # symk gives the documented results
    assert tree.map_structure_up_to([None, None], len, [[1, 1], [2, 2]]) == [2, 2]
    assert tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]]) == ["[1, 1]", ["2", "2"]]


@pytest.mark.parametrize("a,b", [
    ({"a": 1}, OD(a=2)), ({"a": 1, "b": 2}, OD(b=2, a=1)), ([1, None], [1, 2]), (Foo(0, 1), Foo(2, 3)),
    ([(0, 1)], [(2, 3)]), (1, 2),
])
def test_assert_same_structure_accepts(a, b):
    assert tree.assert_same_structure(a, b) is None


@pytest.mark.parametrize("a,b,message", [
    ([1, 2], (1, 2), "Expected an instance of list, got (1, 2)."),
    ([1, [2]], [1, 2], "Expected an instance of list, got 2."),
    ([1, 2], [1, [2]], "Structures don't have the same nested structure."),
    (Foo(0, 1), AlsoFoo(2, 3), "namedtuple type mismatch"),
    ({"a": 1}, {"b": 1}, "dictionary key mismatch; expected key(s): ['a'], got key(s): ['b']"),
])
def test_assert_same_structure_refuses(a, b, message):
    with pytest.raises(ValueError) as info:
        tree.assert_same_structure(a, b)
    assert message in str(info.value)


@pytest.mark.parametrize("check_types", [True, False])
def test_check_types_is_deprecated(check_types):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree.assert_same_structure([1], [2], check_types=check_types)
    assert [w.category for w in caught] == [DeprecationWarning]


def test_assert_same_paths():
    assert tree.assert_same_paths([0, 1], (2, 3)) is None
    assert tree.assert_same_paths(Foo(0, 1), AlsoFoo(2, 3)) is None
    with pytest.raises(ValueError) as info:
        tree.assert_same_paths([0, 1], {"a": 1})
    assert str(info.value) == ("`a` and `b` don't have the same paths.\nPaths in `a` missing in `b`:\n{(0,), (1,)}\n"
                               "Paths in `b` missing in `a`:\n{('a',)}")
    with pytest.raises(ValueError) as info:
        tree.assert_same_paths({"a": [1]}, {"a": [1, 2]})
    assert str(info.value) == "`a` and `b` don't have the same paths.\nPaths in `b` missing in `a`:\n{('a', 1)}"


def test_pack_sequence_as():
    assert tree.pack_sequence_as([1, [2]], [5, 6]) == [5, [6]]
    assert tree.pack_sequence_as(None, [5]) == 5
    assert tree.pack_sequence_as({"b": 1, "a": 2}, [10, 20]) == {"b": 20, "a": 10}
    assert tree.pack_sequence_as(Foo(1, (2, 3)), "xyz") == Foo(a="x", b=("y", "z"))
    packed = tree.pack_sequence_as(OD(b=1, a=2), [10, 20])
    assert isinstance(packed, OD) and list(packed.items()) == [("b", 10), ("a", 20)]
    assert tree.pack_sequence_as((("a", "b"), ("c", "d", "e"), "f"), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]) == \
        ((1.0, 2.0), (3.0, 4.0, 5.0), 6.0)
    with pytest.raises(ValueError, match="Too few leaves for PyTreeSpec; expected: 2, got: 1."):
        tree.pack_sequence_as([1, [2]], [5])


def test_lists_to_tuples():
    assert tree.lists_to_tuples([1, [2, {"a": [3]}], (4, [5])]) == (1, (2, {"a": (3,)}), (4, (5,)))
    assert tree.lists_to_tuples(MyList([1])) == (1,)


def test_map_shape_structure_treats_shapes_as_leaves():
    tag = lambda s: ("S", s)  # noqa: E731
    assert tree.map_shape_structure(tag, [(1, None), {"a": (2, 3)}, [None], (), 4, None]) == \
        [("S", (1, None)), {"a": ("S", (2, 3))}, ("S", [None]), ("S", ()), ("S", 4), ("S", None)]
    assert tree.map_shape_structure(tag, [[(1,), (2, 3)], ((None,), 1.5)]) == \
        [[("S", (1,)), ("S", (2, 3))], (("S", (None,)), ("S", 1.5))]


def test_traverse_visits_in_keras_order():
    structure = [(1, 2), [3], {"a": 4}]
    visited = []
    assert tree.traverse(visited.append, structure, top_down=True) == structure
    assert visited == [[(1, 2), [3], {"a": 4}], (1, 2), 1, 2, [3], 3, {"a": 4}, 4]
    visited = []
    assert tree.traverse(visited.append, structure, top_down=False) == structure
    assert visited == [1, 2, (1, 2), 3, [3], 4, {"a": 4}, [(1, 2), [3], {"a": 4}]]


def test_traverse_replaces_sub_trees():
    structure = [(1, 2), [3], {"a": 3}]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 3 else None, structure) == [(1, 2), [None], {"a": None}]
    assert tree.traverse(lambda x: "X" if isinstance(x, tuple) else None, structure) == ["X", [3], {"a": 3}]
    assert tree.traverse(lambda x: "X" if isinstance(x, tuple) else None, structure, top_down=False) == \
        ["X", [3], {"a": 3}]
    assert tree.traverse(lambda x: None, None) is None
    assert tree.traverse(lambda x: tree.MAP_TO_NONE, [1]) is None


def test_symk_shapes_nest_like_the_tuples_keras_shapes_are():
    shape = symk.Input((3,)).shape  # a TensorShape; Keras's KerasTensor.shape is the tuple (None, 3)
    assert tree.flatten(shape) == [None, 3] and tree.flatten([shape, (1,)]) == [None, 3, 1]
    doubled = tree.map_structure(lambda d: d if d is None else 2 * d, shape)
    assert tuple(doubled) == (None, 6)
    assert tree.map_shape_structure(tuple, {"a": shape}) == {"a": (None, 3)}
