"""The graph: networkx MultiDiGraph of op nodes, symbolic tensors, scopes, subgraphs and the default graph."""
import networkx as nx
import numpy as np
import pytest

import symk
from symk import backend as K
from symk.graph import Graph, SymbolicTensor, default_graph
from symk.layers import Dense, Input


def test_symbolic_tensor_has_shape_dtype_name_and_operators():
    x = Input(shape=(3,), name="features")
    assert isinstance(x, SymbolicTensor) and x.shape == (None, 3) and x.dtype == "float32"
    assert x.name == "features" and x.op_name == "placeholder"
    y = (x + 1) * 2 - x / 4
    assert y.shape == (None, 3) and y.op_name == "subtract"
    assert (x @ K.variable(np.ones((3, 5)))).shape == (None, 5)
    assert x[:, 1:].shape == (None, 2) and x[:, 0].shape == (None,) and x.T.shape == (3, None)
    assert (x > 0).dtype == "bool" and (-x).shape == (None, 3) and (x ** 2).shape == (None, 3)
    assert x == x and hash(x) == hash(SymbolicTensor(x.graph, x.node))


def test_edges_carry_input_positions_and_the_graph_is_a_dag():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    d = a - b
    g = default_graph()
    assert isinstance(g.nx, nx.MultiDiGraph)
    edges = {(u, data["position"]) for u, _, data in g.nx.in_edges(d.node, data=True)}
    assert edges == {(a.node, 0), (b.node, 1)}
    assert g.inputs_of(d.node) == [(a.node, 0), (b.node, 0)]
    same = a * a  # one node using one tensor twice: two parallel edges
    assert g.nx.number_of_edges(a.node, same.node) == 2
    assert nx.is_directed_acyclic_graph(g.nx)
    order = g.topological_order()
    assert order.index(a.node) < order.index(d.node)


def test_layer_calls_scope_their_nodes():
    x = Input(shape=(2,))
    dense = Dense(3, activation="relu", name="hidden")
    y = dense(x)
    g = default_graph()
    scoped = [n for n, data in g.nx.nodes(data=True) if data["layer"] is dense]
    assert {g.op(n) for n in scoped} >= {"matmul", "bias_add", "relu"}
    assert all(g.node(n)["scope"] == ("hidden",) for n in scoped)
    assert y._keras_history[0] is dense
    params = [n for n, data in g.nx.nodes(data=True) if data["op"] == "parameter"]
    assert {g.node(n)["attrs"].path for n in params} == {"hidden/kernel", "hidden/bias"}
    assert all(g.node(n)["layer"] is None for n in params)


def test_model_graph_is_a_copy_holding_only_what_outputs_need():
    x = Input(shape=(2,))
    unused = x * 100  # noqa: F841  (in the default graph, not in the model's)
    model = symk.Model(x, Dense(1)(x))
    ops_in_model = {data["op"] for _, data in model.graph.nx.nodes(data=True)}
    assert "multiply" not in ops_in_model and len(model.graph) < len(default_graph())
    assert repr(model.graph).startswith("<symk.Graph")


def test_clear_session_starts_a_new_default_graph():
    before = default_graph()
    K.clear_session()
    assert default_graph() is not before and len(default_graph()) == 0


def test_subgraph_and_copy_keep_attributes():
    x = Input(shape=(2,))
    y = Dense(1)(x)
    g = default_graph()
    copy = g.copy()
    assert set(copy.nx.nodes) == set(g.nx.nodes) and copy.nx is not g.nx
    assert copy.param_nodes == g.param_nodes
    assert copy.node(y.node)["op"] == g.node(y.node)["op"]
    assert isinstance(Graph(), Graph) and len(Graph()) == 0


def test_len_and_bool_of_symbolic_tensors():
    x = K.placeholder(shape=(4, 2))
    assert len(x) == 4
    with pytest.raises(TypeError, match="unknown"):
        len(Input(shape=(2,)))
